"""privacyops end to end (HTTP API, queue, worker, mail) beside Fides 2.86, in one run.

usage: python bench/service/run.py [--access 15] [--erasures 14] [--throughput 10000] [--workers 1,2,4]
                                   [--no-fides] [--no-sqlite] [--no-durable] [--no-readme]
                                   [--commit REV] [--results FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent / "dsr")]

import data  # noqa: E402 - bench/dsr's modules, found through the path set above
import durable  # noqa: E402
import fides_side  # noqa: E402
import latency  # noqa: E402
import report  # noqa: E402
import services  # noqa: E402
import sqlalchemy as sa  # noqa: E402
import stack  # noqa: E402
import throughput  # noqa: E402
import truth  # noqa: E402
from services import Postgres, Started, log  # noqa: E402

TRACES = 1_000_000
SUBJECTS = [f"subject{k}@example.com" for k in range(1, 8)]
FIDES_DB = "bench_fides_meta"
RESULTS = stack.WORK.parent / "results" / "service.json"


def main(argv: list[str] | None = None) -> int:
    args = _arguments(argv)
    results: dict[str, Any] = {"command": "python bench/service/run.py " + " ".join(argv or sys.argv[1:])}
    pg = services.start_postgres()
    template = data.build_template(pg, TRACES)
    source = stack.snapshot_src(args.commit)
    results["machine"] = report.machine(pg, source)
    started = Started()
    try:
        if not args.no_fides:
            results["fides"] = _fides(pg, template, started)
        started.stop_all()  # Fides is done: its background work must not compete with privacyops
        results["postgresql"] = _postgres(pg, template, source, args)
        _save(results, Path(args.results))
        if not args.no_sqlite:
            results["sqlite"] = _sqlite(pg, template, source, args)
            _save(results, Path(args.results))
        if not args.no_durable:
            results["durable"] = durable.measure(template, source, args.erasures)
            _save(results, Path(args.results))
        if args.throughput:
            results["throughput"] = throughput.measure(
                pg, template, source, args.throughput, [int(n) for n in args.workers.split(",")]
            )
    finally:
        started.stop_all()
    results["machine"]["load average (end)"] = report.load()
    _save(results, Path(args.results))
    if not args.no_readme:
        report.write_readme(results)
    print(report.section(results))
    return 0


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--access", type=int, default=15, help="timed access requests per database")
    parser.add_argument(
        "--erasures",
        type=int,
        default=14,
        help="timed erasures per database, in rounds over the 7 subjects (restored between)",
    )
    parser.add_argument(
        "--throughput", type=int, default=10_000, help="requests of the throughput run (0: none)"
    )
    parser.add_argument("--workers", default="1,2,4", help="worker process counts of the throughput run")
    parser.add_argument("--no-fides", action="store_true", help="skip Fides")
    parser.add_argument("--no-sqlite", action="store_true", help="skip the SQLite service")
    parser.add_argument("--no-durable", action="store_true", help="skip the durable PostgreSQL server")
    parser.add_argument("--no-readme", action="store_true", help="do not rewrite the README's results")
    parser.add_argument("--commit", default="HEAD", help="the commit whose source runs (HEAD)")
    parser.add_argument("--results", default=str(RESULTS), help="where the raw samples go")
    return parser.parse_args(argv)


def _fides(pg: Postgres, template: str, started: Started) -> dict[str, Any]:
    """Fides's whole request over its HTTP API (bench/dsr's harness glue), on its own copy of the data."""
    python = services.ensure_fides_venv()
    services.start_redis(started)
    env = services.fides_env(pg, FIDES_DB)
    if not _exists(pg, FIDES_DB):
        subprocess.run(["createdb", FIDES_DB], env={**os.environ, **pg.env()}, check=True)
    services.start_fides(started, python, env)
    copy = data.copy_database(pg, template, "bench_svc_fides")
    try:
        fides_side.configure(python, env, copy)
        log("Fides: access x3, erasure x3")
        access = fides_side.run(python, env, "access", [SUBJECTS[0]] * 3)
        erasure = fides_side.run(python, env, "erasure", SUBJECTS[1:4])
    finally:
        data.drop_database(pg, copy)
    return {
        "access_ms": [r.wall_s * 1000 for r in access],
        "erasure_ms": [r.wall_s * 1000 for r in erasure],
        "status": sorted({r.status for r in access + erasure}),
    }


def _exists(pg: Postgres, database: str) -> bool:
    engine = sa.create_engine(pg.url("postgres"))
    try:
        with engine.connect() as conn:
            found = conn.execute(sa.text("SELECT 1 FROM pg_database WHERE datname = :d"), {"d": database})
            return found.first() is not None
    finally:
        engine.dispose()


def _postgres(pg: Postgres, template: str, source: Path, args: argparse.Namespace) -> dict[str, Any]:
    """privacyops serve + one separate worker process, store and queue in PostgreSQL."""
    copy = data.copy_database(pg, template, "bench_svc_po")
    store = _fresh_store(pg, "bench_svc_store")
    try:
        with stack.MailSink() as sink:
            running = stack.Stack("postgresql", pg.url(store), pg.url(copy), sink.port, source=source)
            return _latency(running, pg.url(copy), args)
    finally:
        data.drop_database(pg, copy)
        data.drop_database(pg, store)


def _sqlite(pg: Postgres, template: str, source: Path, args: argparse.Namespace) -> dict[str, Any]:
    """privacyops serve alone (its embedded SQLite queue and in-process worker), store and data in SQLite."""
    copy = data.copy_sqlite(data.sqlite_template(pg, template, TRACES), "obs_1m_service")
    home = stack.WORK / "sqlite" / "home"
    for leftover in home.glob("*.db*"):
        leftover.unlink()
    try:
        with stack.MailSink() as sink:
            running = stack.Stack(
                "sqlite",
                f"sqlite:///{home / 'store.db'}",
                f"sqlite:///{copy}",
                sink.port,
                in_process=True,
                source=source,
            )
            return _latency(running, f"sqlite:///{copy}", args)
    finally:
        data.remove_sqlite(copy)


def _fresh_store(pg: Postgres, name: str) -> str:
    data.drop_database(pg, name)
    subprocess.run(["createdb", name], env={**os.environ, **pg.env()}, check=True)
    return name


def _latency(running: stack.Stack, data_url: str, args: argparse.Namespace) -> dict[str, Any]:
    """Warm up once, then time accesses, then erasures in rounds over the subjects (restored between)."""
    app = sa.create_engine(data_url)
    expected = truth.subject_rows(app, SUBJECTS[0])
    running.start()
    store = sa.create_engine(running.store_url)
    out: dict[str, Any] = {"access": [], "erasure": [], "subject_rows": sum(expected.values()), "checks": {}}
    try:
        with running.api() as api:
            latency.one(api, store, "access", SUBJECTS[1])  # the first request opens the pools: not timed
            log(f"{running.name}: {args.access} accesses")
            for _ in range(args.access):
                out["access"].append(vars(latency.one(api, store, "access", SUBJECTS[0])))
            log(f"{running.name}: {args.erasures} erasures")
            saved = {email: truth.snapshot(app, email) for email in SUBJECTS}
            for number in range(args.erasures):
                email = SUBJECTS[number % len(SUBJECTS)]
                out["erasure"].append(vars(latency.one(api, store, "erasure", email)))
                left = {t: n for t, n in truth.leftovers(app, email).items() if n}
                if left:
                    out["checks"][email] = f"left rows: {left}"
                if number % len(SUBJECTS) == len(SUBJECTS) - 1 and number + 1 < args.erasures:
                    for one in SUBJECTS:
                        truth.restore(app, saved[one])
    finally:
        running.stop()
        store.dispose()
        app.dispose()
    out["checks"]["erasures"] = "ok" if len(out["checks"]) == 0 else "failed"
    out["states"] = sorted({r["state"] for r in out["access"] + out["erasure"]})
    return out


def _save(results: dict[str, Any], path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=1, default=str), encoding="utf-8")
    return path


def median(values: list[float]) -> float:
    """Return the median, or NaN for no values."""
    return statistics.median(values) if values else float("nan")


if __name__ == "__main__":
    time.tzset()
    sys.exit(main())
