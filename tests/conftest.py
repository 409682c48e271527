"""Shared test fixtures: the database under test is chosen with ``--db sqlite|postgres``.

Each test that asks for ``db_url`` gets its own empty database: a file in ``tmp_path`` on SQLite, a
fresh ``CREATE DATABASE`` on the PostgreSQL server named by ``PRIVACYOPS_TEST_PG_URL``.
In CI (``CI=true``) a skipped test fails the run unless ``tests/allowed_skips.txt`` names it.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

ALLOWED_SKIPS = Path(__file__).with_name("allowed_skips.txt")

# Records which requirement ids each test proves (@pytest.mark.req) for python -m tests.reqtrace.
pytest_plugins = ("tests.reqtrace.plugin", "tests.browser_fixtures")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--db",
        choices=["sqlite", "postgres"],
        default=os.environ.get("PRIVACYOPS_TEST_DB", "sqlite"),
        help="database backend for the store and demo tests (env PRIVACYOPS_TEST_DB)",
    )
    parser.addoption(
        "--chaos-trials",
        type=int,
        default=int(os.environ.get("PRIVACYOPS_CHAOS_TRIALS", "20")),
        help="kill-and-restart trials of tests/chaos (env PRIVACYOPS_CHAOS_TRIALS; bench/chaos runs 200)",
    )


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    """Leave the chaos tier out on SQLite: its workers share a PostgreSQL store and queue."""
    if collection_path.name == "chaos" and config.getoption("--db") != "postgres":
        return True
    return None


@pytest.fixture(autouse=True, scope="module")
def _environment_per_module() -> Iterator[None]:
    """Give each test module the environment it started with back when it ends.

    Loading a home folder's settings exports its system URLs (APP_DATABASE_URL) for the manifest's
    connectors, as a CLI process should; in a test process shared by many modules that would leak into
    the modules after it.
    """
    saved = dict(os.environ)
    yield
    os.environ.clear()
    os.environ.update(saved)


@pytest.fixture(scope="session")
def db_kind(request: pytest.FixtureRequest) -> str:
    return str(request.config.getoption("--db"))


@pytest.fixture(scope="session")
def pg_admin_url(db_kind: str) -> str:
    url = os.environ.get("PRIVACYOPS_TEST_PG_URL")
    if not url:
        pytest.fail("--db postgres needs PRIVACYOPS_TEST_PG_URL (scripts/postgres.sh prints it)")
    return url


def _create_pg_database(admin_url: str) -> tuple[str, str]:
    name = f"t_{uuid.uuid4().hex[:16]}"
    engine = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    engine.dispose()
    return name, admin_url.rsplit("/", 1)[0] + f"/{name}"


def _drop_pg_database(admin_url: str, name: str) -> None:
    engine = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    engine.dispose()


def _private_database(db_kind: str, folder: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    if db_kind == "sqlite":
        yield f"sqlite:///{folder / 'test.db'}"
        return
    admin = request.getfixturevalue("pg_admin_url")
    name, url = _create_pg_database(admin)
    try:
        yield url
    finally:
        _drop_pg_database(admin, name)


@pytest.fixture
def db_url(db_kind: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    """URL of an empty database of the selected kind, private to this test."""
    yield from _private_database(db_kind, tmp_path, request)


@pytest.fixture(scope="module")
def module_db_url(
    db_kind: str, tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Iterator[str]:
    """URL of an empty database of the selected kind, shared by the tests of one module."""
    yield from _private_database(db_kind, tmp_path_factory.mktemp("module-db"), request)


@pytest.fixture
def make_db_url(db_kind: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[object]:
    """Factory for more than one private database in a test (e.g. store and demo app database)."""
    created: list[str] = []

    def make(label: str = "extra") -> str:
        if db_kind == "sqlite":
            return f"sqlite:///{tmp_path / f'{label}.db'}"
        name, url = _create_pg_database(request.getfixturevalue("pg_admin_url"))
        created.append(name)
        return url

    yield make
    for name in created:
        _drop_pg_database(request.getfixturevalue("pg_admin_url"), name)


def _allowed_skips() -> set[str]:
    if not ALLOWED_SKIPS.exists():
        return set()
    lines = (line.split("#", 1)[0].strip() for line in ALLOWED_SKIPS.read_text().splitlines())
    return {line for line in lines if line}


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if os.environ.get("CI") != "true":
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is None:
        return
    allowed = _allowed_skips()
    hidden = [rep.nodeid for rep in reporter.stats.get("skipped", []) if rep.nodeid not in allowed]
    if hidden:
        reporter.write_line("Skipped in CI without a reason in tests/allowed_skips.txt:", red=True)
        for nodeid in hidden:
            reporter.write_line(f"  {nodeid}", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
