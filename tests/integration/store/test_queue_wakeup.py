"""An idle worker is woken by the enqueue itself, not by its next poll (PostgreSQL and embedded SQLite)."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from privacyops.store import queue_postgres, queue_sqlite


@pytest.fixture
def storage(db_kind: str, db_url: str, tmp_path: Path) -> queue_postgres.PostgresStorage:
    if db_kind != "postgres":
        pytest.skip("LISTEN/NOTIFY is PostgreSQL's; the SQLite queue polls")
    # A wait so long that only a notification can end it within the test's bound.
    return queue_postgres.PostgresStorage("wakeup-test", dsn=db_url, listen_timeout=60)


def test_a_waiting_dequeue_returns_the_task_enqueued_meanwhile(
    storage: queue_postgres.PostgresStorage,
) -> None:
    got: list[bytes | None] = []
    worker = threading.Thread(target=lambda: got.append(storage.dequeue()))
    worker.start()
    threading.Event().wait(0.5)  # the worker is now waiting on its LISTEN connection
    storage.enqueue(b"task-1")
    worker.join(timeout=20)
    assert not worker.is_alive(), "the enqueue did not wake the waiting worker"
    assert got == [b"task-1"]
    storage.close()


def test_channel_names_are_identifiers() -> None:
    assert queue_postgres.channel_of("privacyops") == "huey_privacyops"
    assert queue_postgres.channel_of("Wake-up test") == "huey_wake_up_test"


def test_an_enqueue_in_this_process_wakes_the_embedded_sqlite_worker(tmp_path: Path) -> None:
    storage = queue_sqlite.WakingSqliteStorage("wakeup-test", filename=str(tmp_path / "q.db"),
                                               poll_interval=60)
    got: list[bytes | None] = []
    worker = threading.Thread(target=lambda: got.append(storage.dequeue()))
    worker.start()
    threading.Event().wait(0.5)
    storage.enqueue(b"task-1")
    worker.join(timeout=20)
    assert not worker.is_alive(), "the enqueue did not wake the waiting worker"
    assert [bytes(item) for item in got if item is not None] == [b"task-1"]


def test_a_task_from_another_process_is_found_by_the_next_poll(tmp_path: Path) -> None:
    path = str(tmp_path / "q.db")
    waiting = queue_sqlite.WakingSqliteStorage("poll-test", filename=path, poll_interval=0.2)
    other = queue_sqlite.WakingSqliteStorage("poll-test", filename=path)  # stands for another process
    other.enqueue(b"from-the-cli")
    assert bytes(waiting.dequeue() or b"") == b"from-the-cli"
    assert waiting.dequeue() is None  # nothing left: returns after one bounded wait
