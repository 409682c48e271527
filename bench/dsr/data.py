"""The benchmark databases: built once per size with the peer's gen.sql, then copied for each contender."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import time
from pathlib import Path

import psycopg
from services import PEER, WORK, Postgres, log

TABLES = ("users", "accounts", "organization_memberships", "traces", "observations", "scores")
SQLITE_DDL = """
CREATE TABLE users (id TEXT PRIMARY KEY, email TEXT UNIQUE, name TEXT);
CREATE TABLE accounts (id TEXT PRIMARY KEY, user_id TEXT REFERENCES users(id), provider TEXT,
                       provider_account_id TEXT);
CREATE TABLE organization_memberships (id TEXT PRIMARY KEY, user_id TEXT REFERENCES users(id), org_id TEXT,
                                       role TEXT);
CREATE TABLE traces (id TEXT PRIMARY KEY, user_id TEXT, project_id TEXT, name TEXT, input TEXT, output TEXT,
                     "timestamp" TEXT);
CREATE TABLE observations (id TEXT PRIMARY KEY, trace_id TEXT REFERENCES traces(id), input TEXT, output TEXT,
                           start_time TEXT);
CREATE TABLE scores (id TEXT PRIMARY KEY, trace_id TEXT, value REAL, comment TEXT);
"""
SQLITE_INDEXES = """
CREATE INDEX accounts_user_id_idx ON accounts(user_id);
CREATE INDEX organization_memberships_user_id_idx ON organization_memberships(user_id);
CREATE INDEX traces_user_id_idx ON traces(user_id);
CREATE INDEX observations_trace_id_idx ON observations(trace_id);
CREATE INDEX scores_trace_id_idx ON scores(trace_id);
"""
# Timestamps travel as ISO text so SQLite stores them as PostgreSQL prints them.
COPY_SELECT = {
    "traces": 'SELECT id, user_id, project_id, name, input, output, "timestamp"::text FROM traces',
    "observations": "SELECT id, trace_id, input, output, start_time::text FROM observations",
}


def parse_size(text: str) -> int:
    """Turn `10k`, `100k`, `1m` or a plain number into a number of traces."""
    text = text.strip().lower()
    factor = {"k": 1_000, "m": 1_000_000}.get(text[-1:], 1)
    return int(float(text.rstrip("km")) * factor)


def label(traces: int) -> str:
    """Name a size the way people say it: 10k, 100k, 1M."""
    if traces >= 1_000_000 and traces % 1_000_000 == 0:
        return f"{traces // 1_000_000}M"
    if traces >= 1_000 and traces % 1_000 == 0:
        return f"{traces // 1_000}k"
    return str(traces)


def _psql(pg: Postgres, *args: str) -> str:
    return subprocess.run(["psql", "-X", "-q", "-At", *args], env=pg.env() | _path(), check=True, text=True,
                          capture_output=True).stdout


def _path() -> dict[str, str]:
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin")}


def _traces_in(pg: Postgres, database: str) -> int | None:
    exists = _psql(pg, "-d", "postgres", "-c", f"SELECT 1 FROM pg_database WHERE datname = '{database}'")
    if not exists.strip():
        return None
    try:
        counted = _psql(pg, "-d", database, "-c", "SELECT count(*) FROM traces WHERE EXISTS "
                        "(SELECT 1 FROM users WHERE email = 'subject7@example.com')")
    except subprocess.CalledProcessError:
        return None
    return int(counted.strip() or 0)


def template_name(traces: int) -> str:
    return f"bench_obs_{label(traces).lower()}_tpl"


def build_template(pg: Postgres, traces: int, rebuild: bool = False) -> str:
    """Build (or reuse) the pristine database of one size with gen.sql; nothing ever writes to it later."""
    name = template_name(traces)
    if not rebuild and _traces_in(pg, name) == traces:
        log(f"reusing {name}")
        return name
    log(f"building {name} with gen.sql ({label(traces)} traces)")
    started = time.perf_counter()
    _psql(pg, "-d", "postgres", "-c", f"DROP DATABASE IF EXISTS {name}")
    _psql(pg, "-d", "postgres", "-c", f"CREATE DATABASE {name}")
    _psql(pg, "-v", f"ntraces={traces}", "-d", name, "-f", str(PEER / "gen.sql"))
    log(f"built {name} in {time.perf_counter() - started:.1f} s")
    return name


def copy_database(pg: Postgres, template: str, name: str) -> str:
    """Make a fresh byte-identical copy of the template (its statistics come along)."""
    _psql(pg, "-d", "postgres", "-c", f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    _psql(pg, "-d", "postgres", "-c", f"CREATE DATABASE {name} TEMPLATE {template}")
    return name


def drop_database(pg: Postgres, name: str) -> None:
    _psql(pg, "-d", "postgres", "-c", f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def database_size(pg: Postgres, name: str) -> str:
    return _psql(pg, "-d", name, "-c", "SELECT pg_size_pretty(pg_database_size(current_database()))").strip()


def sqlite_template(pg: Postgres, template: str, traces: int, rebuild: bool = False) -> Path:
    """Copy the PostgreSQL template into a SQLite file (same rows, same indexes), once per size."""
    path = WORK / "sqlite" / f"obs_{label(traces).lower()}_tpl.db"
    if path.exists() and not rebuild and _sqlite_traces(path) == traces:
        log(f"reusing {path.name}")
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    partial.unlink(missing_ok=True)
    log(f"copying {template} into SQLite {path.name}")
    started = time.perf_counter()
    target = sqlite3.connect(partial)
    target.executescript("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;" + SQLITE_DDL)
    with psycopg.connect(f"host={pg.host} port={pg.port} user={pg.user} dbname={template}") as source:
        for table in TABLES:
            _copy_table(source, target, table)
    target.executescript(SQLITE_INDEXES + "ANALYZE; PRAGMA journal_mode=WAL;")
    target.close()
    partial.rename(path)
    log(f"SQLite copy done in {time.perf_counter() - started:.1f} s")
    return path


def _copy_table(source: psycopg.Connection[tuple[object, ...]], target: sqlite3.Connection,
                table: str) -> None:
    query = COPY_SELECT.get(table, f"SELECT * FROM {table}")
    with source.cursor(name=f"copy_{table}") as cur:
        cur.itersize = 20_000
        cur.execute(query)
        width = len(cur.description or ())
        insert = f"INSERT INTO {table} VALUES ({', '.join('?' * width)})"
        while batch := cur.fetchmany(20_000):
            target.executemany(insert, batch)
    target.commit()


def _sqlite_traces(path: Path) -> int | None:
    try:
        # immutable: a read-only look that leaves no -shm/-wal files beside the template
        with sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True) as conn:
            return int(conn.execute("SELECT count(*) FROM traces").fetchone()[0])
    except sqlite3.Error:
        return None


def copy_sqlite(template: Path, name: str) -> Path:
    """Make a fresh copy of the SQLite template for one contender."""
    target = template.parent / f"{name}.db"
    remove_sqlite(target)
    shutil.copyfile(template, target)
    return target


def remove_sqlite(path: Path) -> None:
    """Delete a SQLite copy with its journal files."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
