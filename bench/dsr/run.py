"""Subject-request benchmark: privacyops against Fides 2.86 and the SQL floor, side by side in one run.

usage: python bench/dsr/run.py --sizes 10k,100k,1m [--fides-worker] [--no-fides] [--no-sqlite] [--rebuild]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from typing import Any

import data
import fides_side
import floor_side
import interleave
import report
import services
import sqlalchemy as sa
import truth
from services import FIDES_VERSION, REPO, WORK, Postgres, Started, log

FIDES_DB = "bench_fides_meta"  # Fides's own database (policies, requests), kept between runs
SUBJECTS = [f"subject{k}@example.com" for k in range(1, 8)]
ACCESS_SUBJECT = SUBJECTS[0]
FIDES_ERASED = SUBJECTS[1:4]  # on the shared copy, with the floor's
FLOOR_ERASED = SUBJECTS[4:7]
PO_ERASED = SUBJECTS  # privacyops has its own copy, so it may erase all seven


def main(argv: list[str] | None = None) -> int:
    args = _arguments(argv)
    sizes = [data.parse_size(s) for s in args.sizes.split(",") if s.strip()]
    args.no_sqlite = args.no_sqlite or args.fides_worker
    started = Started()
    cleanup: list[Callable[[], None]] = []
    results: dict[str, Any] = {"command": "python bench/dsr/run.py " + " ".join(argv or sys.argv[1:]),
                               "rows": [], "fides_mode": "worker" if args.fides_worker else "in-process"}
    try:
        pg = _postgres()
        fides = None if args.no_fides else _start_fides(started, pg, args.fides_worker)
        results["machine"] = _machine(pg, fides is not None, args.fides_worker)
        contenders: dict[str, list[interleave.Contender]] = {"postgresql": [], "sqlite": []}
        for traces in sizes:
            template = data.build_template(pg, traces, args.rebuild)
            contenders["postgresql"].append(_postgres_size(pg, template, traces, fides, args, cleanup))
            if not args.no_sqlite:
                contenders["sqlite"].append(_sqlite_size(pg, template, traces, args, cleanup))
        started.stop_all()  # Fides is done: its background tasks must not compete with privacyops
        for group in contenders.values():
            if group:
                interleave.measure_all(group, ACCESS_SUBJECT, PO_ERASED, args.repeat, args.erasures)
                results["rows"] += [c.row for c in group]
                _save(results)
    finally:
        started.stop_all()
        if not args.keep:
            for drop in cleanup:
                drop()
    results["machine"]["load average (end)"] = _load()
    path = _save(results)
    if not args.no_readme:
        report.write_readme(results)
        log(f"results written to {report.README.relative_to(REPO)} and {path.relative_to(REPO)}")
    print(report.section(results))
    return 0


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sizes", default="10k,100k", help="trace counts, e.g. 10k,100k,1m")
    parser.add_argument("--repeat", type=int, default=31, help="warm privacyops accesses per size (median)")
    parser.add_argument("--erasures", type=int, default=28,
                        help="privacyops erasures per size, in rounds over the 7 subjects (restored between)")
    parser.add_argument("--no-fides", action="store_true", help="skip Fides (privacyops and the floor only)")
    parser.add_argument("--fides-worker", action="store_true",
                        help="run Fides requests on a Celery worker (production-like) instead of in process")
    parser.add_argument("--no-sqlite", action="store_true",
                        help="skip the SQLite copies (always with --fides-worker: Fides has no part there)")
    parser.add_argument("--rebuild", action="store_true", help="rebuild the template databases")
    parser.add_argument("--keep", action="store_true", help="keep the working copies for inspection")
    parser.add_argument("--no-readme", action="store_true", help="do not rewrite the README's results")
    return parser.parse_args(argv)


def _postgres() -> Postgres:
    pg = services.start_postgres()
    log(f"PostgreSQL on {pg.host}:{pg.port}")
    return pg


class Fides:
    """A running Fides: its venv's interpreter and the environment of its processes."""

    def __init__(self, python: Path, env: dict[str, str]) -> None:
        self.python, self.env = python, env


def _start_fides(started: Started, pg: Postgres, worker: bool) -> Fides:
    python = services.ensure_fides_venv()
    services.start_redis(started)
    if not _exists(pg, FIDES_DB):
        subprocess.run(["createdb", FIDES_DB], env={**os.environ, **pg.env()}, check=True)
    env = services.fides_env(pg, FIDES_DB)
    if worker:
        # Requests go through Redis to a Celery worker instead of running inside the web server.
        env["FIDES__CELERY__TASK_ALWAYS_EAGER"] = "false"
    services.start_fides(started, python, env)
    if worker:
        services.start_fides_worker(started, python, env)
    return Fides(python, env)


def _exists(pg: Postgres, database: str) -> bool:
    engine = sa.create_engine(pg.url("postgres"))
    try:
        with engine.connect() as conn:
            found = conn.execute(sa.text("SELECT 1 FROM pg_database WHERE datname = :d"), {"d": database})
            return found.first() is not None
    finally:
        engine.dispose()


def _postgres_size(pg: Postgres, template: str, traces: int, fides: Fides | None,
                   args: argparse.Namespace, cleanup: list[Callable[[], None]]) -> interleave.Contender:
    """Fides and the floor on one copy of the template; a second copy waits for privacyops."""
    lbl = data.label(traces)
    row: dict[str, Any] = {"db": "postgresql", "traces": traces, "label": lbl,
                           "db_size": data.database_size(pg, template)}
    shared = data.copy_database(pg, template, f"bench_obs_{lbl.lower()}")
    own = data.copy_database(pg, template, f"bench_obs_{lbl.lower()}_po")
    cleanup += [lambda: data.drop_database(pg, shared), lambda: data.drop_database(pg, own)]
    checks: dict[str, str] = {}
    row["checks"] = checks
    engine = sa.create_engine(pg.url(shared))
    try:
        expected = truth.subject_rows(engine, ACCESS_SUBJECT)
        row["subject_rows"] = expected
        if fides is not None:
            fides_side.configure(fides.python, fides.env, shared)
            log(f"{lbl}: Fides access x3, erasure x3")
            accesses = fides_side.run(fides.python, fides.env, "access", [ACCESS_SUBJECT] * 3)
            erasures = fides_side.run(fides.python, fides.env, "erasure", FIDES_ERASED)
            row["fides_access"] = [r.wall_s for r in accesses]
            row["fides_erasure"] = [r.wall_s for r in erasures]
            row["fides_status"] = sorted({r.status for r in accesses + erasures})
            checks["Fides erasure"] = _erased_check(engine, FIDES_ERASED)
            if row["fides_status"] != ["complete"]:
                checks["Fides status"] = ", ".join(row["fides_status"])
        log(f"{lbl}: SQL floor")
        # floor_sql.py needs psycopg2, which the Fides venv has; create the venv if --no-fides skipped it.
        floor_python = fides.python if fides is not None else services.ensure_fides_venv()
        floor_env = {**os.environ, **pg.env()}
        row["floor_access"] = [floor_side.postgres(floor_python, floor_env, shared, "access", ACCESS_SUBJECT)
                               for _ in range(3)]
        row["floor_erasure"] = [floor_side.postgres(floor_python, floor_env, shared, "erasure", e)
                                for e in FLOOR_ERASED]
        erased = (FIDES_ERASED if fides is not None else []) + FLOOR_ERASED
        checks["floor and Fides erasures"] = truth.erasure_verdict(engine, erased)
    finally:
        engine.dispose()
    return interleave.Contender(row, pg.url(own), expected)


def _sqlite_size(pg: Postgres, template: str, traces: int, args: argparse.Namespace,
                 cleanup: list[Callable[[], None]]) -> interleave.Contender:
    """The SQLite floor on one copy of the SQLite template; a second copy waits for privacyops."""
    lbl = data.label(traces)
    source = data.sqlite_template(pg, template, traces, args.rebuild)
    row: dict[str, Any] = {"db": "sqlite", "traces": traces, "label": lbl,
                           "db_size": f"{source.stat().st_size / 2**20:.0f} MB"}
    floor_copy = data.copy_sqlite(source, f"obs_{lbl.lower()}_floor")
    own = data.copy_sqlite(source, f"obs_{lbl.lower()}_po")
    cleanup += [lambda: data.remove_sqlite(floor_copy), lambda: data.remove_sqlite(own)]
    checks: dict[str, str] = {}
    row["checks"] = checks
    engine = sa.create_engine(f"sqlite:///{floor_copy}")
    try:
        expected = truth.subject_rows(engine, ACCESS_SUBJECT)
        log(f"{lbl}: SQLite floor")
        row["floor_access"] = [floor_side.sqlite(floor_copy, "access", ACCESS_SUBJECT) for _ in range(3)]
        row["floor_erasure"] = [floor_side.sqlite(floor_copy, "erasure", e) for e in FLOOR_ERASED]
        checks["floor erasure"] = truth.erasure_verdict(engine, FLOOR_ERASED)
    finally:
        engine.dispose()
    return interleave.Contender(row, f"sqlite:///{own}", expected)


def _erased_check(engine: sa.Engine, emails: list[str]) -> str:
    left = {truth.user_id(e): {t: n for t, n in truth.leftovers(engine, e).items() if n} for e in emails}
    bad = {u: t for u, t in left.items() if t}
    return "ok" if not bad else f"left rows: {bad}"


def _machine(pg: Postgres, with_fides: bool, worker: bool) -> dict[str, Any]:
    engine = sa.create_engine(pg.url("postgres"))
    with engine.connect() as conn:
        server = str(conn.execute(sa.text("SHOW server_version")).scalar_one())
        buffers = str(conn.execute(sa.text("SHOW shared_buffers")).scalar_one())
    engine.dispose()
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    memory = next((line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines()
                   if line.startswith("MemTotal")), "0")
    commit = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True).stdout.strip()
    engine_paths = ["src/privacyops/engine", "src/privacyops/connectors"]
    dirty = subprocess.run(["git", "-C", str(REPO), "status", "--porcelain", "--", *engine_paths],
                           capture_output=True, text=True).stdout.strip()
    state = "with uncommitted changes to the engine or connectors" if dirty else "engine as committed"
    return {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "CPU": f"{os.cpu_count()} cores, {cpu} (shared with other work while measuring)",
        "memory": f"{int(memory) / 2**20:.0f} GiB",
        "load average (start)": _load(),
        "OS": f"{platform.system()} {platform.release()}",
        "PostgreSQL": f"{server} on 127.0.0.1 (fsync off, synchronous_commit off, shared_buffers {buffers})",
        "SQLite": sqlite3.sqlite_version,
        "privacyops": f"{metadata.version('privacyops')} (commit {commit}, {state}), "
                      f"Python {platform.python_version()}",
        "Fides": (f"ethyca-fides {FIDES_VERSION}, Python 3.13, "
                  f"{'a Celery worker' if worker else 'in-process execution'}" if with_fides else "not run"),
    }


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def _save(results: dict[str, Any]) -> Path:
    path = WORK / "results" / f"dsr-{results['fides_mode']}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=1), encoding="utf-8")
    return path


if __name__ == "__main__":
    sys.exit(main())
