"""Fixtures for running requests for real: a migrated store, the demo database, the shipped manifest."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

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

SECRET = b"execution-tests-secret-key"
SUBJECT = {"email": "subject1@example.com"}


@dataclass
class Setup:
    """A migrated store, the demo database and an environment that runs requests against them."""

    store_url: str
    demo_url: str
    sessions: sessionmaker[Session]
    env: ExecutionEnv

    def submit(self, request_type: str, identities: dict[str, str] | None = None) -> str:
        """File a verified request and approve it where the type needs approval; return its id."""
        submission = intake.build_submission(request_type=request_type, identities=identities or SUBJECT,
                                             regions=["eu"], channel="cli", verified=True)
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
    env = ExecutionEnv(manifest=shipped, service=ServiceContext(key=SECRET), connectors={"app_db": connector})
    yield Setup(db_url, demo_url, db.session_factory(engine), env)
    connector.close()
    engine.dispose()
