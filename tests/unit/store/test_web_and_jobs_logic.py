from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from privacyops import jobs
from privacyops.examples import LANGFUSE_MANIFEST
from privacyops.manifest.load import load_manifest
from privacyops.settings import Settings
from privacyops.store import db
from privacyops.store.queue_postgres import libpq_dsn
from privacyops.web import manifest_view


def test_manifest_facts_for_the_pages() -> None:
    manifest = load_manifest(LANGFUSE_MANIFEST)
    assert manifest_view.notice_date(manifest) == dt.date(2026, 3, 26)
    assert manifest_view.controller_name(manifest) == "Langfuse GmbH"


def test_tasks_register_by_name() -> None:
    @jobs.task("unit_echo", retries=5, retry_delay=1)
    def echo(ctx: jobs.JobContext, value: int) -> int:
        return value

    @jobs.periodic("unit_nightly", minute="0", hour="3")
    def nightly(ctx: jobs.JobContext) -> None:
        return None

    registered = jobs.registered_tasks()
    assert registered["unit_echo"].func is echo and registered["unit_echo"].retries == 5
    assert registered["unit_nightly"].schedule == {
        "minute": "0", "hour": "3", "day": "*", "month": "*", "day_of_week": "*",
    }
    assert registered["heartbeat"].schedule is not None


@pytest.mark.parametrize(
    ("queue_url", "storage"),
    [
        (None, "WakingSqliteStorage"),
        ("sqlite:///{tmp}/q/queue.db", "WakingSqliteStorage"),
        ("memory://", "MemoryStorage"),
    ],
)
def test_queue_url_picks_the_storage(queue_url: str | None, storage: str, tmp_path: Path) -> None:
    url = queue_url.format(tmp=tmp_path) if queue_url else None
    backend = jobs.build_huey(Settings(queue_url=url, home=tmp_path / "home"))
    assert type(backend.storage).__name__ == storage


@pytest.mark.parametrize(
    ("url", "message"),
    [("amqp://broker", "not supported"), ("sqlite://", "give a file")],
)
def test_bad_queue_urls_say_what_to_do(url: str, message: str, tmp_path: Path) -> None:
    with pytest.raises(jobs.QueueConfigError, match=message):
        jobs.build_huey(Settings(queue_url=url, home=tmp_path))


def test_redis_without_the_package_is_explained(tmp_path: Path) -> None:
    import importlib.util

    if importlib.util.find_spec("redis") is not None:
        backend = jobs.build_huey(Settings(queue_url="redis://127.0.0.1:1/0", home=tmp_path))
        assert type(backend.storage).__name__ == "RedisStorage"
        return
    with pytest.raises(jobs.QueueConfigError, match="pip install redis"):
        jobs.build_huey(Settings(queue_url="redis://127.0.0.1:1/0", home=tmp_path))


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("postgresql+psycopg://u:p@h:5/d", "postgresql://u:p@h:5/d"),
        ("postgres://u@h/d", "postgresql://u@h/d"),
        ("postgresql://u@h/d?sslmode=require", "postgresql://u@h/d?sslmode=require"),
    ],
)
def test_queue_dsn_for_libpq(url: str, expected: str) -> None:
    assert libpq_dsn(url) == expected


def test_alembic_config_is_built_in_code() -> None:
    config = db.alembic_config("postgresql://u:p%40ss@h/d")
    assert config.get_main_option("sqlalchemy.url") == "postgresql+psycopg://u:p%40ss@h/d"
    assert Path(config.get_main_option("script_location") or "").name == "migrations"
    assert db.head_revision() is not None


def test_scheduled_tasks_can_be_left_to_an_outside_scheduler(tmp_path: Path) -> None:
    settings = Settings(queue_url="memory://", home=tmp_path / "home", scheduled_off="retention_sweep")
    queue = jobs.build_queue(settings)
    periodic = {task.name for task in queue.huey._registry.periodic_tasks}
    assert "retention_sweep" not in periodic and "heartbeat" in periodic
    assert "retention_sweep" in queue.task_names  # still runs when queued by name


def test_an_unknown_scheduled_task_to_leave_out_is_refused(tmp_path: Path) -> None:
    settings = Settings(queue_url="memory://", home=tmp_path / "home", scheduled_off="retention_sweeps")
    with pytest.raises(jobs.UnknownTask, match="retention_sweeps.*scheduled tasks: .*retention_sweep"):
        jobs.build_queue(settings)
