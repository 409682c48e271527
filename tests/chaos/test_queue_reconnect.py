"""The PostgreSQL queue after the server dropped its connection: the call is done again, the outage reported.

The shared server stays up: the queue's connection is ended from outside (``pg_terminate_backend``),
which is what a restart does to a connection that sits idle in a pool.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import sqlalchemy as sa

from privacyops.store import queue_postgres


def _terminate_others(url: str) -> int:
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        ended = conn.execute(sa.text(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()")).scalar_one()
    engine.dispose()
    return int(ended)


def test_an_enqueue_on_a_dropped_connection_is_done_on_a_new_one_and_reports_the_outage(db_url: str) -> None:
    storage = queue_postgres.PostgresStorage("reconnect-test", dsn=db_url)
    reports: list[datetime] = []
    reported = threading.Event()

    def on_reconnect(lost_at: datetime) -> None:
        reports.append(lost_at)
        reported.set()

    storage.on_reconnect = on_reconnect
    storage.enqueue(b"before")
    assert _terminate_others(db_url) >= 1
    before = datetime.now(UTC)
    storage.enqueue(b"after")  # the kept connection is gone: done again on a new one, not raised
    assert reported.wait(10), "the queue did not report that the server was away"
    assert before <= reports[0] <= datetime.now(UTC)
    assert storage.enqueued_items() == [b"before", b"after"]
    storage.enqueue(b"again")
    assert len(reports) == 1, "an outage is reported once"
    storage.close()

