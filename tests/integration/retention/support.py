"""Helpers of the retention tests: rows of the demo that are left, read with plain SQL."""

from __future__ import annotations

import sqlalchemy as sa


def left(url: str, owned: dict[str, set[str]]) -> dict[str, int]:
    """Return, per table, how many of the given rows are still there (tables with none left out)."""
    engine = sa.create_engine(url)
    found: dict[str, int] = {}
    try:
        with engine.connect() as conn:
            for table, ids in owned.items():
                if not ids:
                    continue
                query = sa.text(f"SELECT COUNT(*) FROM {table} WHERE id IN :ids").bindparams(
                    sa.bindparam("ids", expanding=True)
                )
                count = int(conn.execute(query, {"ids": sorted(ids)}).scalar_one())
                if count:
                    found[table] = count
    finally:
        engine.dispose()
    return found


def email_of(url: str, user_id: str) -> str:
    """Return a demo user's email."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return str(
                conn.execute(sa.text("SELECT email FROM users WHERE id = :u"), {"u": user_id}).scalar_one()
            )
    finally:
        engine.dispose()
