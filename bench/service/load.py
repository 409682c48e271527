"""The load process of the throughput run: files requests over HTTP with a bounded number of connections.

usage: python load.py BASE_URL ADMIN_TOKEN PLAN.json CLIENTS OUT.json

PLAN.json lists [type, email] pairs. Each request is filed as the subject files it, marked verified by an
admin when it needs verification, and approved when it waits for approval: the work an operator's
tooling does. Writes the ids with the client's times; never prints identities.
"""

from __future__ import annotations

import json
import sys
import threading
import time
from typing import Any

import httpx

REASON = {"reason": "identity checked by phone"}
BODIES: dict[str, dict[str, Any]] = {"rectification": {"corrects": ["name"]}}


def one(api: httpx.Client, admin: dict[str, str], kind: str, email: str) -> dict[str, Any]:
    """File one request and take it as far as an admin must; return its id and state."""
    started = time.time()
    body = {"type": kind, "identities": {"email": email}, "regions": ["eu"], **BODIES.get(kind, {})}
    answer = api.post("/requests", json=body)
    answer.raise_for_status()
    request = answer.json()
    if request["state"] in ("received", "awaiting_verification"):
        request = _ok(api.post(f"/requests/{request['id']}/mark-verified", json=REASON, headers=admin))
    if request["state"] == "awaiting_approval":
        request = _ok(api.post(f"/requests/{request['id']}/approve", json={"note": "load"}, headers=admin))
    return {"id": request["id"], "type": kind, "submitted": started, "handed_over": time.time()}


def _ok(answer: httpx.Response) -> dict[str, Any]:
    answer.raise_for_status()
    result: dict[str, Any] = answer.json()
    return result


def main(base: str, token: str, plan_path: str, clients: int, out_path: str) -> int:
    with open(plan_path, encoding="utf-8") as handle:
        plan: list[list[str]] = json.load(handle)
    admin = {"Authorization": f"Bearer {token}"}
    results: list[dict[str, Any]] = []
    errors: list[str] = []
    lock = threading.Lock()
    position = iter(range(len(plan)))

    def client() -> None:
        with httpx.Client(base_url=f"{base}/api/v1", timeout=120) as api:
            while True:
                with lock:
                    index = next(position, None)
                if index is None:
                    return
                kind, email = plan[index]
                try:
                    done = one(api, admin, kind, email)
                except httpx.HTTPError as exc:
                    with lock:
                        errors.append(f"{kind}: {type(exc).__name__}")
                    continue
                with lock:
                    results.append(done)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with open(out_path, "w", encoding="utf-8") as handle:
        json.dump({"requests": results, "errors": errors}, handle)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]))
