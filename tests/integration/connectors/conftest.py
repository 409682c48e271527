"""Fixtures for the connector tests: one embedded ClickHouse (chdb) per test process, a database per test."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from privacyops.connectors.clickhouse import ChdbSession


@pytest.fixture(scope="session")
def chdb_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # chdb runs one embedded server per process, bound to the first data folder it is given.
    return tmp_path_factory.mktemp("chdb")


@pytest.fixture
def chdb_database(chdb_path: Path) -> Iterator[tuple[ChdbSession, str]]:
    """An embedded ClickHouse session and the name of a database private to this test."""
    session = ChdbSession(str(chdb_path))
    name = f"t_{uuid.uuid4().hex[:12]}"
    session.run(f"CREATE DATABASE {name}")
    yield session, name
    session.run(f"DROP DATABASE IF EXISTS {name}")
