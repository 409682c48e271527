"""Retention sweep on PostgreSQL beside a bare DELETE of the same rows, while another process inserts traces.

Loads N expired traces (and 10% recent ones) into the demo's ``traces`` table, then, each time with an
inserting process running: measures the inserter alone (baseline p99), the sweep of a table rule through
``privacyops.retention.sweep`` (batches, tombstones, run record), and one bare ``DELETE ... WHERE`` of the
same rows after reloading them. Prints a Markdown table; see README.md.
"""

from __future__ import annotations

import argparse
import io
import multiprocessing as mp
import os
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from privacyops.connectors.sql import SqlConnector
from privacyops.examples import LANGFUSE_MANIFEST
from privacyops.execution.env import ExecutionEnv
from privacyops.manifest.load import load_text
from privacyops.requests.context import ServiceContext
from privacyops.retention import sweep
from privacyops.store import db

RULE = """    - name: bench-old-traces
      data: [app_db.traces]
      trigger: collected
      period: P1Y
      sweep: {system: app_db, table: traces, since: timestamp, batch_size: BATCH}
"""
OLD, NEW = "2023-01-01 00:00:00+00", "2099-01-01 00:00:00+00"
SECRET = b"bench-retention-secret"


def admin_url() -> str:
    url = os.environ.get("PRIVACYOPS_TEST_PG_URL")
    if not url:
        sys.exit('set PRIVACYOPS_TEST_PG_URL (eval "$(bash scripts/postgres.sh)")')
    return url


def fresh_database(admin: str, name: str) -> str:
    engine = sa.create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    engine.dispose()
    return admin.rsplit("/", 1)[0] + f"/{name}"


def load(url: str, expired: int) -> None:
    """Create the demo's traces table (no foreign keys) and COPY the rows in."""
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        # The demo's traces columns (docs/demo-schema.md), without the foreign keys of the tables not loaded.
        conn.exec_driver_sql(
            "CREATE TABLE IF NOT EXISTS traces (id text PRIMARY KEY, user_id text, project_id text, "
            "session_id text, name text, input text, output text, metadata text, timestamp timestamptz)"
        )
    with engine.begin() as conn:
        conn.exec_driver_sql("TRUNCATE traces")
    raw = engine.raw_connection()
    try:
        buffer = io.StringIO()
        recent = expired // 10
        for n in range(expired + recent):
            moment = OLD if n < expired else NEW
            fields = (
                f"t_{n:09d}",
                f"u_{n % 5000}",
                "project",
                "session",
                "chat",
                "some input",
                "some output",
                "{}",
                moment,
            )
            buffer.write("\t".join(fields) + "\n")
        buffer.seek(0)
        columns = "id, user_id, project_id, session_id, name, input, output, metadata, timestamp"
        with raw.cursor() as cursor, cursor.copy(f"COPY traces ({columns}) FROM STDIN") as copy:  # type: ignore[attr-defined]
            copy.write(buffer.getvalue())
        raw.commit()
    finally:
        raw.close()
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE INDEX IF NOT EXISTS ix_traces_timestamp ON traces (timestamp)")
        conn.exec_driver_sql("ANALYZE traces")
    engine.dispose()


def inserter(url: str, stop: Any, ready: Any, out: Any) -> None:
    """Insert one trace at a time (autocommit) until told to stop; send back each insert's seconds."""
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    latencies: list[tuple[float, float]] = []
    with engine.connect() as conn:
        statement = sa.text(
            "INSERT INTO traces (id, user_id, name, timestamp) VALUES (:id, 'u_ins', 'live', now())"
        )
        while not stop.is_set():
            started = time.perf_counter()
            conn.execute(statement, {"id": f"live_{uuid.uuid4().hex}"})
            latencies.append((started, time.perf_counter() - started))
            ready.set()
            time.sleep(0.002)
    engine.dispose()
    out.send(latencies)


def with_inserter(url: str, work: Any) -> tuple[Any, list[float]]:
    ctx = mp.get_context("spawn")
    stop, ready, (receiver, sender) = ctx.Event(), ctx.Event(), ctx.Pipe(duplex=False)
    process = ctx.Process(target=inserter, args=(url, stop, ready, sender))
    process.start()
    ready.wait(60)  # the inserter has started, connected and inserted once
    time.sleep(0.5)
    began = time.perf_counter()
    try:
        result = work()
    finally:
        ended = time.perf_counter()
        stop.set()
        samples = receiver.recv()
        process.join()
    # The inserts that overlapped the work (perf_counter is one clock for every process of the host).
    return result, [seconds for at, seconds in samples if at <= ended and at + seconds >= began]


def p99(values: list[float]) -> float:
    if len(values) > 100:
        return statistics.quantiles(values, n=100)[98] * 1000
    return max(values, default=0.0) * 1000  # too few inserts for a percentile: the slowest


def run_sweep(url: str, store: str, batch: int) -> tuple[float, float, int]:
    rule_text = RULE.replace("BATCH", str(batch))
    text = Path(LANGFUSE_MANIFEST).read_text().replace("  backups:\n", rule_text + "  backups:\n", 1)
    manifest = load_text(text, "bench.yml")
    connector = SqlConnector(url, batch_size=batch)
    longest = [0.0]

    @sa.event.listens_for(connector.engine, "before_cursor_execute")
    def _start(conn: Any, *args: Any) -> None:
        conn.info["started"] = time.perf_counter()

    @sa.event.listens_for(connector.engine, "after_cursor_execute")
    def _end(conn: Any, *args: Any) -> None:
        longest[0] = max(longest[0], time.perf_counter() - conn.info.pop("started", time.perf_counter()))

    service = ServiceContext(key=SECRET)
    env = ExecutionEnv(manifest=manifest, service=service, connectors={"app_db": connector})
    sessions = db.session_factory(db.make_engine(store, sqlite_immediate=True, secret=SECRET))
    (rule,) = sweep.sweep_rules(env, "bench-old-traces")
    started = time.perf_counter()
    done = sweep.run_rule(env, sessions, rule)
    seconds = time.perf_counter() - started
    connector.close()
    assert done.status == "done", done.errors
    return seconds, longest[0] * 1000, int(done.rows.get("app_db.traces", 0))


def bare_delete(url: str) -> tuple[float, int]:
    engine = sa.create_engine(url)
    started = time.perf_counter()
    with engine.begin() as conn:
        rows = conn.execute(sa.text("DELETE FROM traces WHERE timestamp <= '2024-01-01'")).rowcount
    seconds = time.perf_counter() - started
    engine.dispose()
    return seconds, rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000, help="expired rows (default 1,000,000)")
    parser.add_argument("--quick", action="store_true", help="100,000 expired rows")
    parser.add_argument("--batch", type=int, default=5000, help="rows per sweep batch (default 5000)")
    args = parser.parse_args()
    rows = 100_000 if args.quick else args.rows
    url = fresh_database(admin_url(), "bench_retention")
    store = f"sqlite:///{tempfile.mkdtemp()}/store.db"
    db.upgrade(store)
    load(url, rows)
    _, baseline = with_inserter(url, lambda: time.sleep(5))
    (sweep_s, longest_ms, swept), during_sweep = with_inserter(url, lambda: run_sweep(url, store, args.batch))
    load(url, rows)
    (delete_s, deleted), during_delete = with_inserter(url, lambda: bare_delete(url))
    print(
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores, load average "
        f"{os.getloadavg()[0]:.1f}"
    )
    print(
        "| expired rows | batch | sweep s | bare DELETE s | ratio | longest sweep statement ms | "
        "insert p99 ms (inserts timed): alone / during sweep / during bare DELETE |"
    )
    print("|---|---|---|---|---|---|---|")
    print(
        f"| {swept:,} (bare DELETE: {deleted:,}) | {args.batch} | {sweep_s:.1f} | {delete_s:.2f} | "
        f"{sweep_s / delete_s:.1f} | {longest_ms:.0f} | {p99(baseline):.1f} ({len(baseline)}) / "
        f"{p99(during_sweep):.1f} ({len(during_sweep)}) / {p99(during_delete):.1f} ({len(during_delete)}) |"
    )


if __name__ == "__main__":
    main()
