"""Fixtures for retention: a migrated store, the demo database (u_30 terminated 2025-01-31), a clock."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pytest
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


@pytest.fixture
def setup(db_url: str, make_db_url: Callable[[str], str], shipped: Manifest) -> Iterator[Setup]:
    db.upgrade(db_url)
    demo_url = make_db_url("demo")
    build_demo(demo_url, users=30, traces=1400, seed=5)
    engine = db.make_engine(db_url, sqlite_immediate=True, secret=SECRET)
    connector = SqlConnector(demo_url)
    clock = Clock()
    env = ExecutionEnv(
        manifest=shipped,
        service=ServiceContext(key=SECRET, clock=clock),
        connectors={"app_db": connector},
        home=Path("."),
    )
    yield Setup(db_url, demo_url, db.session_factory(engine), env, clock)
    connector.close()
    engine.dispose()
