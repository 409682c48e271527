from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TypeVar

import pytest
from huey.constants import EmptyData

from privacyops import jobs
from privacyops.settings import Settings
from privacyops.store import db

T = TypeVar("T")


@jobs.task("test_add_numbers", retries=0)
def add_numbers(ctx: jobs.JobContext, left: int, right: int) -> dict[str, object]:
    return {"sum": left + right, "database": ctx.settings.database_url.split(":", 1)[0]}


def _wait_for(probe: Callable[[], T | None], seconds: float = 20) -> T:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = probe()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"nothing after {seconds}s")


@pytest.fixture
def settings(db_url: str, db_kind: str, tmp_path: Path) -> Settings:
    db.upgrade(db_url)
    queue_url = db_url if db_kind == "postgres" else None
    return Settings(database_url=db_url, queue_url=queue_url, home=tmp_path / "home")


@pytest.fixture
def queue(settings: Settings) -> Iterator[jobs.JobQueue]:
    built = jobs.build_queue(settings)
    built.huey.flush()
    yield built
    built.close()


def test_queue_storage_follows_settings(queue: jobs.JobQueue, db_kind: str, settings: Settings) -> None:
    kind = type(queue.huey.storage).__name__
    assert kind == ("PostgresStorage" if db_kind == "postgres" else "WakingSqliteStorage")
    if db_kind == "sqlite":
        assert (Path(settings.home) / "queue.db").exists()


def test_enqueued_task_runs_in_process(queue: jobs.JobQueue) -> None:
    assert {"heartbeat", "test_add_numbers"} <= set(queue.task_names)
    queue.start_in_process(workers=2)
    result = queue.enqueue("test_add_numbers", 2, 40)
    assert result.get(blocking=True, timeout=20)["sum"] == 42
    # Periodic tasks keep no result; the heartbeat leaves its mark in the queue storage instead.
    # A scheduled heartbeat may already be running, so wait for a mark made after this enqueue.
    started = datetime.now(UTC)
    queue.enqueue("heartbeat")

    def fresh_mark() -> datetime | None:
        mark = queue.last_heartbeat()
        return mark if mark is not None and mark >= started else None

    recorded = _wait_for(fresh_mark)
    assert started <= recorded <= datetime.now(UTC)
    queue.stop_in_process()
    assert queue.check() == 0


def test_task_waits_until_a_consumer_runs(queue: jobs.JobQueue) -> None:
    queue.enqueue("test_add_numbers", 1, 1)
    assert queue.check() == 1
    queue.start_in_process()
    try:
        assert _wait_for(lambda: queue.check() == 0)
    finally:
        queue.stop_in_process()


def test_unknown_task_is_named(queue: jobs.JobQueue) -> None:
    with pytest.raises(jobs.UnknownTask, match="no task named 'nope'.*heartbeat"):
        queue.enqueue("nope")


def test_storage_contract(queue: jobs.JobQueue) -> None:
    storage = queue.huey.storage
    storage.enqueue(b"low", 0)
    storage.enqueue(b"high", 5)
    assert storage.queue_size() == 2
    assert storage.enqueued_items() == [b"high", b"low"]
    assert storage.dequeue() == b"high"
    assert storage.dequeue() == b"low"
    assert storage.dequeue() is None

    now = datetime.now(UTC)
    storage.add_to_schedule(b"later", now + timedelta(hours=1))
    storage.add_to_schedule(b"due", now - timedelta(seconds=1))
    assert storage.schedule_size() == 2
    assert storage.read_schedule(now) == [b"due"]
    assert storage.scheduled_items() == [b"later"]
    storage.flush_schedule()
    assert storage.schedule_size() == 0

    storage.put_data("k", b"v1")
    storage.put_data("k", b"v2")
    assert storage.peek_data("k") == b"v2"
    assert storage.put_if_empty("k", b"v3") is False
    assert storage.put_if_empty("fresh", b"x") is True
    assert storage.peek_many(["k", "fresh", "absent"]) == {"k": b"v2", "fresh": b"x"}
    assert storage.pop_data("k") == b"v2"
    assert storage.pop_data("k") is EmptyData
    assert storage.has_data_for_key("fresh")
    assert storage.incr("c") == 1 and storage.incr("c", 4) == 5
    storage.flush_all()
    assert storage.result_store_size() == 0 and storage.queue_size() == 0


def test_bad_queue_url_is_explained(tmp_path: Path) -> None:
    with pytest.raises(jobs.QueueConfigError, match="not supported"):
        jobs.build_huey(Settings(queue_url="amqp://x", home=tmp_path))
