"""The job queue on Redis (PRIVACYOPS_QUEUE_URL=redis://...): tasks run, and an idle worker waits in BRPOP.

Runs against the real Redis server that ``scripts/redis.sh`` starts, each test on its own database.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import huey
import pytest

from privacyops import jobs
from privacyops.settings import Settings
from tests.redis_queue import blocked_in_brpop, redis_url  # noqa: F401 - the fixture

WAKE_BOUND = 5.0  # seconds; a worker woken by the enqueue itself answers in milliseconds


@jobs.task("test_redis_store_sum", retries=0)
def store_sum(ctx: jobs.JobContext, left: int, right: int) -> dict[str, object]:
    """Reach the store as a real task does, then answer."""
    import sqlalchemy as sa

    with ctx.sessions() as session:
        one = session.execute(sa.text("SELECT 1")).scalar_one()
    return {"sum": left + right + one - 1}


@pytest.fixture
def queue(redis_url: str, db_url: str, tmp_path: Path) -> Iterator[jobs.JobQueue]:  # noqa: F811
    settings = Settings(database_url=db_url, queue_url=redis_url, home=tmp_path / "home")
    built = jobs.build_queue(settings)
    yield built
    built.close()


def test_a_redis_url_builds_blocking_redis_storage(queue: jobs.JobQueue, tmp_path: Path) -> None:
    storage = queue.huey.storage
    assert isinstance(storage, huey.storage.RedisStorage)
    assert storage.blocking is True
    assert not (tmp_path / "home" / "queue.db").exists(), "a SQLite queue was made beside the Redis one"


def test_enqueued_task_runs_and_health_reads_the_queue(queue: jobs.JobQueue) -> None:
    queue.enqueue("test_redis_store_sum", 2, 40)
    assert queue.check() == 1
    queue.start_in_process(workers=2)
    try:
        result = queue.enqueue("test_redis_store_sum", 20, 22)
        assert result.get(blocking=True, timeout=20) == {"sum": 42}
        started = datetime.now(UTC)
        queue.enqueue("heartbeat")
        deadline = time.monotonic() + 20
        while (mark := queue.last_heartbeat()) is None or mark < started:
            assert time.monotonic() < deadline, "the heartbeat left no mark in Redis"
            time.sleep(0.05)
    finally:
        queue.stop_in_process()
    assert queue.check() == 0


def test_a_waiting_dequeue_returns_the_task_enqueued_meanwhile(redis_url: str) -> None:  # noqa: F811
    # A wait so long that only the enqueue itself can end it within the bound.
    storage = huey.RedisHuey("wakeup-test", url=redis_url, blocking=True, read_timeout=60).storage
    got: list[bytes | None] = []
    worker = threading.Thread(target=lambda: got.append(storage.dequeue()))
    worker.start()
    deadline = time.monotonic() + 10
    while not blocked_in_brpop(redis_url):
        assert time.monotonic() < deadline, "the dequeue never blocked in BRPOP"
        time.sleep(0.05)
    enqueued = time.monotonic()
    storage.enqueue(b"task-1")
    worker.join(timeout=20)
    assert not worker.is_alive(), "the enqueue did not wake the waiting worker"
    assert got == [b"task-1"]
    assert time.monotonic() - enqueued < WAKE_BOUND
    storage.close()


def test_the_idle_consumer_waits_in_brpop_and_starts_a_task_at_once(
    queue: jobs.JobQueue, redis_url: str  # noqa: F811
) -> None:
    queue.start_in_process(workers=2)
    try:
        deadline = time.monotonic() + 10
        while blocked_in_brpop(redis_url) < 2:
            assert time.monotonic() < deadline, "the consumer's worker threads do not wait in BRPOP"
            time.sleep(0.05)
        time.sleep(2)  # idle long enough that a polling worker would have backed off
        enqueued = time.monotonic()
        result = queue.enqueue("test_redis_store_sum", 1, 1)
        assert result.get(blocking=True, timeout=20) == {"sum": 2}
        assert time.monotonic() - enqueued < WAKE_BOUND
    finally:
        queue.stop_in_process()


def test_a_task_enqueued_by_another_queue_instance_is_run_by_this_consumer(
    queue: jobs.JobQueue, redis_url: str, db_url: str, tmp_path: Path  # noqa: F811
) -> None:
    producer = jobs.build_queue(Settings(database_url=db_url, queue_url=redis_url, home=tmp_path / "other"))
    try:
        handle = producer.enqueue("test_redis_store_sum", 3, 4)
        queue.start_in_process()
        assert handle.get(blocking=True, timeout=20) == {"sum": 7}
    finally:
        queue.stop_in_process()
        producer.close()
