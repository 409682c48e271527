"""The hand-written SQL floor: the peer's floor_sql.py on PostgreSQL, the same statements on SQLite."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import time
from pathlib import Path

from services import PEER

# The statements of the peer's floor_sql.py, in SQLite's parameter style.
SQLITE_ACCESS = (
    "SELECT u.* FROM users u WHERE u.email = :e",
    "SELECT a.* FROM accounts a JOIN users u ON u.id = a.user_id WHERE u.email = :e",
    "SELECT m.* FROM organization_memberships m JOIN users u ON u.id = m.user_id WHERE u.email = :e",
    "SELECT t.* FROM traces t JOIN users u ON u.id = t.user_id WHERE u.email = :e",
    "SELECT o.* FROM observations o JOIN traces t ON t.id = o.trace_id JOIN users u ON u.id = t.user_id "
    "WHERE u.email = :e",
    "SELECT s.* FROM scores s JOIN traces t ON t.id = s.trace_id JOIN users u ON u.id = t.user_id "
    "WHERE u.email = :e",
)
SUBJECT_TRACES = "SELECT t.id FROM traces t JOIN users u ON u.id = t.user_id WHERE u.email = :e"
SUBJECT_ID = "SELECT id FROM users WHERE email = :e"
SQLITE_ERASE = (
    f"UPDATE observations SET input = NULL, output = NULL WHERE trace_id IN ({SUBJECT_TRACES})",
    f"UPDATE scores SET comment = NULL WHERE trace_id IN ({SUBJECT_TRACES})",
    f"UPDATE traces SET name = NULL, input = NULL, output = NULL WHERE user_id = ({SUBJECT_ID})",
    f"UPDATE accounts SET provider_account_id = NULL WHERE user_id = ({SUBJECT_ID})",
    "UPDATE users SET email = NULL, name = NULL WHERE email = :e",
)


def postgres(python: Path, env: dict[str, str], database: str, kind: str, email: str) -> float:
    """Run the peer's floor_sql.py once (an erasure is committed) and return its wall time."""
    out = subprocess.run([str(python), str(PEER / "floor_sql.py"), database, kind, email], env=env,
                         check=True, text=True, capture_output=True).stdout
    return float(json.loads(out.strip().splitlines()[-1])["wall_s"])


def sqlite(path: Path, kind: str, email: str) -> float:
    """Run the floor statements on a SQLite file over an open connection; an erasure is committed."""
    conn = sqlite3.connect(path)
    try:
        cur = conn.cursor()
        started = time.perf_counter()
        for statement in SQLITE_ACCESS if kind == "access" else SQLITE_ERASE:
            cur.execute(statement, {"e": email})
            if kind == "access":
                cur.fetchall()
        conn.commit()
        return time.perf_counter() - started
    finally:
        conn.close()
