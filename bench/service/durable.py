"""The erasure on a durable PostgreSQL server (fsync, synchronous_commit and full_page_writes on).

The project's test server turns them off, which hides what each commit costs. This module starts a
second server of its own on 127.0.0.1 (data in bench/.work/service/durable-pg, kept between runs),
loads the benchmark data with fsync off, restarts it durable, and times privacyops's erasure (serve +
one worker, store and queue on that server) beside the SQL floor (the peer's floor_sql.py) there.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import time
from pathlib import Path
from typing import Any

import data
import floor_side
import latency
import services
import sqlalchemy as sa
import stack
import truth
from services import Postgres, log

PORT = int(os.environ.get("BENCH_DURABLE_PG_PORT", "54339"))
DATA_DIR = stack.WORK / "durable-pg"
SUBJECTS = [f"subject{k}@example.com" for k in range(1, 8)]
TRACES = 1_000_000


def _bindir() -> Path:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name))
    if not found:
        raise SystemExit("PostgreSQL binaries not found: apt-get install postgresql")
    return found[-1]


def _as_postgres(*args: str) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else list(args)


def _pg_ctl(action: str, durable: bool) -> None:
    options = f"-h 127.0.0.1 -p {PORT} -k /tmp -c max_connections=100 -c shared_buffers=256MB"
    if not durable:
        options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    subprocess.run(
        _as_postgres(
            str(_bindir() / "pg_ctl"),
            "-D",
            str(DATA_DIR),
            "-l",
            str(DATA_DIR / "server.log"),
            "-w",
            "-o",
            options,
            action,
        ),
        check=True,
        stdout=subprocess.DEVNULL,
    )


def start(durable: bool) -> Postgres:
    """Start the server (creating it on first use), durable or not; stop it first if it runs."""
    if not (DATA_DIR / "PG_VERSION").exists():
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        subprocess.run(["chown", "-R", "postgres:postgres", str(DATA_DIR)], check=True)
        subprocess.run(
            _as_postgres(
                str(_bindir() / "initdb"),
                "-D",
                str(DATA_DIR),
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
            ),
            check=True,
            stdout=subprocess.DEVNULL,
        )
    if services.port_open(PORT):
        _pg_ctl("stop", durable)
    _pg_ctl("start", durable)
    return Postgres("127.0.0.1", PORT, "postgres")


def stop() -> None:
    """Stop the server this module started."""
    if services.port_open(PORT):
        _pg_ctl("stop", True)


def commit_cost(pg: Postgres, samples: int = 50) -> list[float]:
    """Time a minimal write transaction: what one flush of the log costs on this disk."""
    engine = sa.create_engine(pg.url("postgres"))
    times = []
    with engine.connect() as conn:
        conn.execute(sa.text("CREATE TABLE IF NOT EXISTS bench_flush_probe (n int)"))
        conn.commit()
        for n in range(samples):
            started = time.perf_counter()
            conn.execute(sa.text("INSERT INTO bench_flush_probe VALUES (:n)"), {"n": n})
            conn.commit()
            times.append((time.perf_counter() - started) * 1000)
    engine.dispose()
    return times


def measure(template: str, source: Path, erasures: int) -> dict[str, Any]:
    """Build the data on the second server, make it durable, time privacyops's erasures and the floor's."""
    pg = start(durable=False)
    try:
        template = data.build_template(pg, TRACES)
        pg = start(durable=True)
        probe = commit_cost(pg)
        copy = data.copy_database(pg, template, "bench_durable_po")
        store = "bench_durable_store"
        data.drop_database(pg, store)
        subprocess.run(["createdb", store], env=pg.env() | {"PATH": "/usr/bin:/bin"}, check=True)
        out: dict[str, Any] = {
            "erasure": [],
            "commit_ms": statistics.median(probe),
            "commit_samples": len(probe),
        }
        app = sa.create_engine(pg.url(copy))
        saved = {email: truth.snapshot(app, email) for email in SUBJECTS}
        with stack.MailSink() as sink:
            running = stack.Stack("durable", pg.url(store), pg.url(copy), sink.port, source=source).start()
            engine = sa.create_engine(running.store_url)
            try:
                with running.api() as api:
                    latency.one(api, engine, "access", SUBJECTS[0])  # opens the pools: not timed
                    log(f"durable PostgreSQL: {erasures} privacyops erasures")
                    for number in range(erasures):
                        email = SUBJECTS[number % len(SUBJECTS)]
                        out["erasure"].append(vars(latency.one(api, engine, "erasure", email)))
                        if number % len(SUBJECTS) == len(SUBJECTS) - 1:
                            for one in SUBJECTS:
                                truth.restore(app, saved[one])
            finally:
                running.stop()
                engine.dispose()
        for one in SUBJECTS:
            truth.restore(app, saved[one])
        app.dispose()
        out["floor_erasure_ms"] = _floor(pg, copy)
        data.drop_database(pg, copy)
        data.drop_database(pg, store)
        return out
    finally:
        stop()


def _floor(pg: Postgres, database: str) -> list[float]:
    """The SQL floor's erasure of each subject on the same durable server."""
    python = services.ensure_fides_venv()  # floor_sql.py needs psycopg2, which the Fides venv has
    env = {**os.environ, **pg.env()}
    return [floor_side.postgres(python, env, database, "erasure", email) * 1000 for email in SUBJECTS]
