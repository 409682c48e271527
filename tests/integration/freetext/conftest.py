"""Fixtures of the free-text tests: a migrated store, the help desk database and its manifest."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from privacyops.connectors.sql import SqlConnector
from privacyops.execution import runner
from privacyops.execution.env import ExecutionEnv
from privacyops.manifest.load import load_manifest
from privacyops.requests import decisions, intake, service
from privacyops.requests.context import ServiceContext
from privacyops.store import db

from . import data

SECRET = b"freetext-tests-secret-key"
SUBJECT = {"email": data.RENEE["email"]}


@dataclass
class Desk:
    """The store, the help desk database and an environment that runs requests against them."""

    desk_url: str
    sessions: sessionmaker[Session]
    env: ExecutionEnv

    def run(self, request_type: str) -> tuple[str, runner.RunReport]:
        """File a verified request for the subject, approve it if needed, and run it as far as it goes."""
        submission = intake.build_submission(request_type=request_type, identities=SUBJECT,
                                             regions=["eu"], channel="cli", verified=True)
        with self.sessions.begin() as session:
            request = service.submit(session, self.env.service, submission, actor="test").request
            if request.state == "awaiting_approval":
                decisions.approve(session, self.env.service, request.id, actor="test")
            request_id = request.id
        with self.sessions.begin() as session:
            runner.start(session, self.env, request_id, actor="test")
        return request_id, runner.run_request(self.sessions, self.env, request_id)


@pytest.fixture
def desk(db_url: str, make_db_url: Callable[[str], str], tmp_path: Path) -> Iterator[Desk]:
    db.upgrade(db_url)
    desk_url = make_db_url("helpdesk")
    data.build(desk_url)
    engine = db.make_engine(db_url, sqlite_immediate=True)
    connector = SqlConnector(desk_url)
    env = ExecutionEnv(manifest=load_manifest(data.MANIFEST), service=ServiceContext(key=SECRET),
                       connectors={data.SYSTEM: connector}, home=tmp_path / "home")
    yield Desk(desk_url, db.session_factory(engine), env)
    connector.close()
    engine.dispose()
