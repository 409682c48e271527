"""Fixtures for retention: a migrated store, the demo database (u_30 terminated 2025-01-31), a clock."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from privacyops.connectors.sql import SqlConnector
from privacyops.demo.generate import build_demo
from privacyops.examples import LANGFUSE_MANIFEST
from privacyops.execution.env import ExecutionEnv
from privacyops.manifest.load import load_manifest
from privacyops.manifest.schema import Manifest
from privacyops.requests import decisions, intake, service
from privacyops.requests.context import ServiceContext
from privacyops.store import db
from tests.conftest import _drop_pg_database

SECRET = b"retention-tests-secret-key"
TERMINATED = "u_30"  # the demo's last user ended the account on 2025-01-31 12:00 UTC
TERMINATED_AT = datetime(2025, 1, 31, 12, tzinfo=UTC)
BEFORE_DUE = datetime(2025, 2, 28, 11, tzinfo=UTC)  # due 2025-02-28 12:00 (ER-4)
AFTER_DUE = datetime(2025, 3, 2, tzinfo=UTC)  # past due and the day of grace: overdue


@dataclass
class Clock:
    """A settable clock: the sweep and the overdue check count periods from it."""

    now: datetime = AFTER_DUE

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Setup:
    """A migrated store, the demo database and an environment over them."""

    store_url: str
    demo_url: str
    sessions: sessionmaker[Session]
    env: ExecutionEnv
    clock: Clock = field(default_factory=Clock)

    def with_manifest(self, manifest: Manifest) -> ExecutionEnv:
        """Return an environment over the same systems with another manifest."""
        return ExecutionEnv(manifest=manifest, service=self.env.service, connectors=self.env.connectors)

    def submit(self, request_type: str, identities: dict[str, str], regions: list[str] | None = None) -> str:
        """File a verified request, approved where the type needs it; return its id."""
        submission = intake.build_submission(
            request_type=request_type,
            identities=identities,
            regions=regions or ["eu"],
            channel="cli",
            verified=True,
        )
        with self.sessions.begin() as session:
            request = service.submit(session, self.env.service, submission, actor="test").request
            if request.state == "awaiting_approval":
                decisions.approve(session, self.env.service, request.id, actor="test")
            return request.id


@pytest.fixture(scope="session")
def shipped() -> Manifest:
    return load_manifest(LANGFUSE_MANIFEST)


class Copies:
    """A migrated store and the demo database built once per session; each test works on fresh copies.

    SQLite copies the files; PostgreSQL creates the databases from them as templates.
    """

    def __init__(self, db_kind: str, folder: Path, admin_url: str | None) -> None:
        self.db_kind, self.folder, self.admin_url = db_kind, folder, admin_url
        self.created: list[str] = []
        self.store = self._new("store_template")
        db.upgrade(self.store)
        self.demo = self._new("demo_template")
        build_demo(self.demo, users=30, traces=1400, seed=5)

    def copy(self, template: str, label: str) -> str:
        """Return the URL of a new database holding what ``template`` holds."""
        if self.db_kind == "sqlite":
            target = self.folder / f"{label}-{uuid.uuid4().hex[:8]}.db"
            shutil.copyfile(sa.engine.make_url(template).database or "", target)
            return f"sqlite:///{target}"
        return self._new(label, template=sa.engine.make_url(template).database)

    def drop_all(self) -> None:
        for name in self.created:
            _drop_pg_database(str(self.admin_url), name)

    def _new(self, label: str, template: str | None = None) -> str:
        if self.db_kind == "sqlite":
            return f"sqlite:///{self.folder / f'{label}.db'}"
        assert self.admin_url is not None
        name = f"t_{uuid.uuid4().hex[:16]}"
        engine = sa.create_engine(self.admin_url, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.exec_driver_sql(
                f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else "")
            )
        engine.dispose()
        self.created.append(name)
        return self.admin_url.rsplit("/", 1)[0] + f"/{name}"


@pytest.fixture(scope="session")
def copies(
    db_kind: str, tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Iterator[Copies]:
    admin = request.getfixturevalue("pg_admin_url") if db_kind == "postgres" else None
    made = Copies(db_kind, tmp_path_factory.mktemp("retention"), admin)
    yield made
    made.drop_all()


@pytest.fixture
def setup(copies: Copies, shipped: Manifest) -> Iterator[Setup]:
    store_url, demo_url = copies.copy(copies.store, "store"), copies.copy(copies.demo, "demo")
    engine = db.make_engine(store_url, sqlite_immediate=True, secret=SECRET)
    connector = SqlConnector(demo_url)
    clock = Clock()
    env = ExecutionEnv(
        manifest=shipped,
        service=ServiceContext(key=SECRET, clock=clock),
        connectors={"app_db": connector},
        home=Path("."),
    )
    yield Setup(store_url, demo_url, db.session_factory(engine), env, clock)
    connector.close()
    engine.dispose()
