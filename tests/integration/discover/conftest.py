from __future__ import annotations

import pytest
import sqlalchemy as sa

from privacyops.demo import generate

SMALL = {"users": 40, "traces": 1400}
PLANTED_DOMAIN = "mailbox.example.org"


@pytest.fixture
def demo_url(db_url: str) -> str:
    """A small demo database (40 users, 1,400 traces) private to the test."""
    generate.build_demo(db_url, seed=11, **SMALL)
    return db_url


def plant(url: str) -> None:
    """Add what the manifest does not declare: a column full of emails and a table of phone notes."""
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql("ALTER TABLE users ADD COLUMN recovery_contact TEXT")
        conn.exec_driver_sql(
            f"UPDATE users SET recovery_contact = 'backup.' || id || '@{PLANTED_DOMAIN}'")
        conn.exec_driver_sql("CREATE TABLE support_notes (id TEXT PRIMARY KEY, note TEXT, priority INTEGER)")
        conn.exec_driver_sql("INSERT INTO support_notes SELECT 'n_' || id, 'call back on ' || phone, 1 "
                             "FROM users WHERE phone IS NOT NULL")
    engine.dispose()
