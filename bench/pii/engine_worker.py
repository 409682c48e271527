"""Time privacyops's PII engine on one core over a JSONL corpus; write its findings and figures.

usage: python bench/pii/engine_worker.py CORPUS.jsonl FINDINGS.jsonl [--backend auto|re] [--reps 3]
Prints one JSON object: throughput (batched scan, per-record calls, masking), raw scan, peak RSS.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import time


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("corpus")
    parser.add_argument("findings")
    parser.add_argument("--backend", default="auto")
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--batch", type=int, default=256)
    parser.add_argument("--per-record", action="store_true", help="Also time one analyze() call per record.")
    parser.add_argument("--by-source", action="store_true", help="Also time each source of the corpus alone.")
    parser.add_argument("--entities", default="", help="Comma-separated entities to detect (all when empty).")
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})

    from privacyops.pii.engine import Engine
    from privacyops.pii.operators import Masker
    from privacyops.pii.recognizers import phone

    with open(args.corpus, encoding="utf-8") as handle:
        records = [json.loads(line) for line in handle]
    texts = [record["text"] for record in records]
    chars = sum(map(len, texts))
    size = sum(len(text.encode("utf-8")) for text in texts)
    started = time.perf_counter()
    entities = [name for name in args.entities.split(",") if name] or None
    engine = Engine(backend=args.backend, entities=entities)
    load_s = time.perf_counter() - started
    batches = [texts[i : i + args.batch] for i in range(0, len(texts), args.batch)]
    for batch in batches[:2]:
        engine.analyze_many(batch)  # warm-up: phone metadata, caches

    cpu_times: list[float] = []

    def timed(run: object) -> float:
        # Wall time of the best repetition, and the CPU time this process spent in it: the machine
        # is shared, so CPU seconds are the steadier measure of one core's work.
        times = []
        cpu = []
        for _ in range(args.reps):
            # Repeating the same texts must not let a cache answer for the engine.
            phone._national.cache_clear()
            begin, begin_cpu = time.perf_counter(), time.process_time()
            run()  # type: ignore[operator]
            times.append(time.perf_counter() - begin)
            cpu.append(time.process_time() - begin_cpu)
        cpu_times.append(min(cpu))
        return min(times)

    def batched() -> None:
        # Findings are dropped as they come, as on an ingestion path: keeping ten million small
        # objects alive would time Python's garbage collector rather than the engine.
        for batch in batches:
            engine.analyze_many(batch)

    batched_s = timed(batched)
    masker = Masker()

    def masked() -> None:
        for batch in batches:
            for text, found in zip(batch, engine.analyze_many(batch), strict=True):
                masker.apply(text, found)

    mask_s = timed(masked)
    out = {
        "backend": engine.backend,
        "records": len(texts),
        "chars": chars,
        "bytes": size,
        "load_s": round(load_s, 3),
        "batched_s": round(batched_s, 3),
        "mb_per_s": round(size / batched_s / 1e6, 2),
        "cpu_mb_per_s": round(size / cpu_times[0] / 1e6, 2),
        "chars_per_s": round(chars / batched_s),
        "cpu_chars_per_s": round(chars / cpu_times[0]),
        "mask_mb_per_s": round(size / mask_s / 1e6, 2),
        "mask_cpu_mb_per_s": round(size / cpu_times[1] / 1e6, 2),
    }
    if args.per_record:
        per_record_s = timed(lambda: [engine.analyze(text) for text in texts])
        out["per_record_mb_per_s"] = round(size / per_record_s / 1e6, 2)
        out["per_record_chars_per_s"] = round(chars / per_record_s)
        out["per_record_cpu_chars_per_s"] = round(chars / cpu_times[-1])
    if args.by_source:
        out["by_source"] = _by_source(engine, records, args.batch, timed)
    if engine.backend == "hyperscan":
        out.update(_raw_scan(engine, batches, size, args.reps))
    out["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    with open(args.findings, "w", encoding="utf-8") as handle:
        for batch in batches:
            for found in engine.analyze_many(batch):
                handle.write(json.dumps([[f.start, f.end, f.entity, f.score] for f in found]) + "\n")
    print(json.dumps(out))


def _by_source(engine: object, records: list[dict], batch: int, timed: object) -> dict[str, dict[str, float]]:
    """Throughput of each source alone, with its density: the rate falls as values get denser."""
    sources: dict[str, list[dict]] = {}
    for record in records:
        sources.setdefault(record["source"], []).append(record)
    figures = {}
    for source, chosen in sorted(sources.items()):
        texts = [record["text"] for record in chosen]
        size = sum(len(text.encode("utf-8")) for text in texts)
        labels = sum(len(record["spans"]) for record in chosen)
        batches = [texts[i : i + batch] for i in range(0, len(texts), batch)]
        seconds = timed(lambda batches=batches: [engine.analyze_many(b) for b in batches])  # type: ignore[attr-defined,operator]
        figures[source] = {
            "mb": round(size / 1e6, 2),
            "labels_per_kb": round(labels / size * 1000, 1),
            "mb_per_s": round(size / seconds / 1e6, 1),
        }
    return figures


def _raw_scan(engine: object, batches: list[list[str]], size: int, reps: int) -> dict[str, float]:
    """The ceiling: Hyperscan alone over the same joined batches, without and with Python callbacks."""
    from privacyops.pii.engine import SEPARATOR

    database = engine.scanner._database  # type: ignore[attr-defined]
    # A database loaded from the cache comes without a scratch space of its own; older code has no
    # ``_scratch`` and scans with the database's.
    make_scratch = getattr(engine.scanner, "_scratch", None)
    options = {"scratch": make_scratch()} if make_scratch is not None else {}
    joined = [SEPARATOR.join(batch).encode("ascii", "privacyops-pii-ascii") for batch in batches]

    def count(*_args: object) -> None:
        return None

    def run(handler: object) -> float:
        times = []
        for _ in range(reps):
            begin = time.perf_counter()
            for data in joined:
                database.scan(data, match_event_handler=handler, **options)
            times.append(time.perf_counter() - begin)
        return min(times)

    return {"raw_scan_mb_per_s": round(size / run(count) / 1e6, 1)}


if __name__ == "__main__":
    main()
