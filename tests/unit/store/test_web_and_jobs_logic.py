from __future__ import annotations

import datetime as dt
from pathlib import Path
from types import SimpleNamespace

import pytest

from privacyops import jobs
from privacyops.settings import Settings
from privacyops.store import db
from privacyops.store.queue_postgres import libpq_dsn
from privacyops.web import manifest_view


@pytest.mark.parametrize(
    ("manifest", "expected"),
    [
        ({"notice": {"last_updated": dt.date(2026, 3, 1)}}, dt.date(2026, 3, 1)),
        ({"notice": {"last_updated": "2025-12-31"}}, dt.date(2025, 12, 31)),
        ({"last_updated": dt.datetime(2024, 1, 2, 3, 4)}, dt.date(2024, 1, 2)),
        (SimpleNamespace(notice=SimpleNamespace(effective_date=dt.date(2023, 5, 6))), dt.date(2023, 5, 6)),
        ({"notice": {"last_updated": "soon"}}, None),
        ({}, None),
    ],
)
def test_notice_date_is_found_in_dicts_and_models(manifest: object, expected: dt.date | None) -> None:
    assert manifest_view.notice_date(manifest) == expected


def test_controller_name_and_counts() -> None:
    model = SimpleNamespace(controller=SimpleNamespace(legal_name="Acme GmbH", name="Acme"), purposes=[1, 2])
    assert manifest_view.controller_name(model) == "Acme GmbH"
    assert manifest_view.controller_name({"controller": {"name": "Beta"}}) == "Beta"
    assert manifest_view.controller_name({}) == "This service"
    assert manifest_view.count(model, "purposes") == 2
    assert manifest_view.count(model, "systems") == 0


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
        (None, "SqliteStorage"),
        ("sqlite:///{tmp}/q/queue.db", "SqliteStorage"),
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
