"""Throughput: many mixed requests over distinct subjects, processed by 1, 2, 4... worker processes.

A separate load process (load.py) files them over HTTP on 127.0.0.1 with a bounded number of
connections; the workers carry them to completion. Times come from the store: each request's latency is
its `closed_at` minus its `received_at`; the rate is the number completed over the time from the first
submission to the last completion.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import data
import sqlalchemy as sa
import stack
from report import pct
from services import Postgres, log

from privacyops.store.models.execution import ExecutionRun
from privacyops.store.models.requests import SubjectRequest

MIX = ("access", "erasure", "rectification", "marketing_opt_out")
CLIENTS = 8
CLOSED = ("completed", "partially_completed", "denied", "cancelled", "forwarded_to_controller")


def subjects(count: int) -> list[str]:
    """Distinct people of the benchmark database: subject1..7, then user8..user10000."""
    people = [f"subject{k}@example.com" for k in range(1, 8)] + [
        f"user{k}@example.org" for k in range(8, 10_001)
    ]
    if count > len(people):
        raise SystemExit(f"the database holds {len(people)} people; ask for at most that many requests")
    return people[:count]


def measure(
    pg: Postgres, template: str, source: Path, count: int, worker_counts: list[int]
) -> dict[str, Any]:
    """Run the same mixed load once per worker count, each on fresh copies of the data and the store."""
    plan = [[MIX[i % len(MIX)], email] for i, email in enumerate(subjects(count))]
    rows = [_one_count(pg, template, source, plan, workers) for workers in worker_counts]
    return {
        "requests": count,
        "mix": ", ".join(f"{len(plan[i :: len(MIX)])} {kind}" for i, kind in enumerate(MIX)),
        "clients": CLIENTS,
        "rows": rows,
    }


def _one_count(
    pg: Postgres, template: str, source: Path, plan: list[list[str]], workers: int
) -> dict[str, Any]:
    copy = data.copy_database(pg, template, "bench_svc_load")
    store = f"bench_svc_load_store_{workers}"
    data.drop_database(pg, store)
    subprocess.run(["createdb", store], env=pg.env() | {"PATH": "/usr/bin:/bin"}, check=True)
    work = stack.WORK / f"throughput-{workers}"
    work.mkdir(parents=True, exist_ok=True)
    (work / "plan.json").write_text(json.dumps(plan), encoding="utf-8")
    try:
        with stack.MailSink() as sink:
            running = stack.Stack(
                f"throughput-{workers}",
                pg.url(store),
                pg.url(copy),
                sink.port,
                workers=workers,
                source=source,
            ).start()
            engine = sa.create_engine(running.store_url)
            try:
                log(f"throughput: {len(plan)} requests, {workers} worker process(es)")
                load = subprocess.run(
                    [
                        sys.executable,
                        str(Path(__file__).with_name("load.py")),
                        running.base,
                        stack.ADMIN_TOKEN,
                        str(work / "plan.json"),
                        str(CLIENTS),
                        str(work / "load.json"),
                    ],
                    check=True,
                )
                assert load.returncode == 0
                _wait_all(engine, len(plan))
                return _figures(engine, workers, len(plan), json.loads((work / "load.json").read_text()))
            finally:
                running.stop()
                engine.dispose()
    finally:
        data.drop_database(pg, copy)
        data.drop_database(pg, store)


def _finished() -> sa.Select[tuple[Any, ...]]:
    """Each request with the moment the service was done with it.

    Closed requests end at `closed_at`. A rectification filed over the API names the fields to correct
    but not the new values: its run stops at "correct every copy" with the request open and the team
    told, until a person runs it with the values (`request run ID --set ...`); it ends at that stop.
    """
    stopped = sa.case((ExecutionRun.status == "failed", ExecutionRun.updated_at), else_=None)
    return sa.select(
        SubjectRequest.request_type,
        SubjectRequest.state,
        SubjectRequest.received_at,
        sa.func.coalesce(SubjectRequest.closed_at, stopped).label("done_at"),
    ).outerjoin(ExecutionRun, ExecutionRun.request_id == SubjectRequest.id)


def _wait_all(engine: sa.Engine, count: int, idle_limit: float = 120.0) -> None:
    """Wait until the service is done with every request, or with none more for `idle_limit` seconds."""
    last, since = -1, time.monotonic()
    while True:
        with engine.connect() as conn:
            done = sum(1 for r in conn.execute(_finished()) if r.done_at is not None)
        if done >= count:
            return
        if done != last:
            last, since = done, time.monotonic()
        elif time.monotonic() - since > idle_limit:
            log(f"throughput: {count - done} request(s) did not finish; see the worker logs")
            return
        time.sleep(1.0)


def _figures(engine: sa.Engine, workers: int, count: int, load: dict[str, Any]) -> dict[str, Any]:
    with engine.connect() as conn:
        rows = conn.execute(_finished()).all()
    done = [(r.received_at, r.done_at) for r in rows if r.done_at is not None]
    first = min(_utc(r.received_at) for r in rows)
    last = max((_utc(c) for _, c in done), default=first)
    wall = max((last - first).total_seconds(), 1e-9)
    latencies = [(_utc(c) - _utc(r)).total_seconds() * 1000 for r, c in done]
    outcome: dict[str, int] = {}
    for r in rows:
        state = r.state if r.state in CLOSED or r.done_at is None else "stopped for values"
        key = f"{r.request_type} {state}"
        outcome[key] = outcome.get(key, 0) + 1
    return {
        "workers": workers,
        "requests": count,
        "completed": len(done),
        "wall_s": wall,
        "per_second": len(done) / wall,
        "p50_ms": pct(latencies, 0.5),
        "p99_ms": pct(latencies, 0.99),
        "load_errors": load["errors"][:5],
        "outcomes": dict(sorted(outcome.items())),
    }


def _utc(moment: Any) -> datetime:
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
