"""The load process of ``bench/consent/run.py``: threads with keep-alive clients, one endpoint per run.

Usage: load.py BASE KIND SECONDS THREADS SUBJECTS TOKEN; KIND: trivial, decision, receipt or batch
(100 receipts a request; its per_s counts receipts).
Prints requests/s, p50 and p99 in milliseconds, and the number of errors, as JSON.
"""

from __future__ import annotations

import json
import random
import sys
import threading
import time

import httpx

BATCH = 100


def _receipt(name: str) -> dict[str, object]:
    return {
        "subject": [f"email:{name}@bench.example"],
        "purpose": "marketing_communications",
        "granted": True,
        "notice_version": "2026-03-26",
    }


def main() -> None:
    base, kind, seconds, threads, subjects_n, token = sys.argv[1:7]
    stop = time.monotonic() + float(seconds)
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()

    def work(seed: int) -> None:
        rng = random.Random(seed)
        mine: list[float] = []
        failed = 0
        with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=30) as client:
            n = 0
            while time.monotonic() < stop:
                n += 1
                i = rng.randrange(int(subjects_n))
                started = time.perf_counter()
                if kind == "trivial":
                    answer = client.get("/api/v1/whoami")
                elif kind == "decision":
                    answer = client.get(
                        "/api/v1/decisions",
                        params={
                            "subject": f"email:user{i}@bench.example",
                            "purpose": "marketing_communications",
                        },
                    )
                elif kind == "receipt":
                    answer = client.post("/api/v1/consent/receipts", json=_receipt(f"new{seed}-{n}"))
                else:  # "batch": 100 receipts in one request and one transaction
                    body = {"receipts": [_receipt(f"batch{seed}-{n}-{k}") for k in range(BATCH)]}
                    answer = client.post("/api/v1/consent/receipts/batch", json=body)
                mine.append(time.perf_counter() - started)
                failed += answer.status_code >= 400
        with lock:
            latencies.extend(mine)
            errors[0] += failed

    pool = [threading.Thread(target=work, args=(s,)) for s in range(int(threads))]
    began = time.perf_counter()
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    elapsed = time.perf_counter() - began
    latencies.sort()

    def pct(p: float) -> float:
        return (
            round(latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000, 1) if latencies else 0.0
        )

    print(
        json.dumps(
            {
                "kind": kind,
                "per_s": round(len(latencies) * (BATCH if kind == "batch" else 1) / elapsed),
                "p50_ms": pct(0.5),
                "p99_ms": pct(0.99),
                "errors": errors[0],
                "requests": len(latencies),
            }
        )
    )


if __name__ == "__main__":
    main()
