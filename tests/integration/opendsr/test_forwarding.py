"""PC-1: a request that finds only customer data is forwarded to that customer and ends with no export."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from privacyops.connectors.sql import SqlConnector
from privacyops.manifest.load import load_manifest
from privacyops.manifest.schema import Manifest
from privacyops.opendsr import clients, routing
from privacyops.requests import intake
from privacyops.requests import service as rservice
from privacyops.requests.context import ServiceContext
from privacyops.store import db
from privacyops.store.models.outbox import OutboxMessage
from tests.integration.opendsr.conftest import Demo

OUTSIDER = "outsider@example.org"
NOW = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)


@pytest.fixture
def store(db_url: str) -> Iterator[Session]:
    db.upgrade(db_url)
    engine = db.make_engine(db_url)
    with db.session_factory(engine)() as session:
        yield session
    engine.dispose()


@pytest.fixture
def app_db(demo: Demo) -> Iterator[dict[str, SqlConnector]]:
    engine = sa.create_engine(demo.url)
    with engine.begin() as conn:  # someone who never signed up, named only in a customer's trace
        conn.execute(sa.text(
            "INSERT INTO traces (id, project_id, name, input, output, metadata) "
            "VALUES ('t_outsider', :p, 'chat', 'hi', 'hello', :m)"
        ), {"p": demo.project, "m": json.dumps({"user": {"email": OUTSIDER}})})
    engine.dispose()
    connector = SqlConnector(demo.url)
    yield {"app_db": connector}
    connector.close()


@pytest.fixture
def manifest(manifest_path: Path) -> Manifest:
    return load_manifest(manifest_path)


def submit(session: Session, ctx: ServiceContext, email: str) -> str:
    submission = intake.build_submission(request_type="access", identities={"email": email}, regions=["eu"],
                                         channel="api", verified=True)
    request = rservice.submit(session, ctx, submission, actor="operator").request
    session.flush()
    return request.id


@pytest.mark.req("PC-1")
def test_a_request_matching_only_customer_data_is_forwarded(
    store: Session, app_db: dict[str, SqlConnector], manifest: Manifest, demo: Demo,
) -> None:
    ctx = ServiceContext(key=b"forwarding-test-key", clock=lambda: NOW)
    clients.issue_client(store, name="Acme", project_id=demo.project, admin_emails=["admin@acme.example"])
    request_id = submit(store, ctx, OUTSIDER)
    request = rservice.records.get_request(store, request_id)

    forward = routing.forward_if_processor_only(store, ctx, request, manifest, app_db)
    store.commit()

    assert forward is not None
    assert request.state == "forwarded_to_controller"
    assert forward.forwarded_at == NOW and request.flags["forwarded_at"] == NOW.isoformat()
    assert forward.project_ids == [demo.project]
    assert routing.forward_of(store, request_id) is not None
    mail = {(m.recipient, m.kind) for m in store.execute(sa.select(OutboxMessage)).scalars()}
    assert ("admin@acme.example", "forwarded_to_customer") in mail
    assert (OUTSIDER, "forwarded") in mail  # the requester is told
    runs = store.execute(sa.text("SELECT count(*) FROM execution_runs WHERE request_id = :r"),
                         {"r": request_id}).scalar()
    assert runs == 0  # nothing ran, nothing is exported


@pytest.mark.req("PC-1")
def test_a_request_that_also_finds_controller_data_stays(
    store: Session, app_db: dict[str, SqlConnector], manifest: Manifest, demo: Demo,
) -> None:
    ctx = ServiceContext(key=b"forwarding-test-key", clock=lambda: NOW)
    request_id = submit(store, ctx, demo.email)
    request = rservice.records.get_request(store, request_id)

    assert routing.forward_if_processor_only(store, ctx, request, manifest, app_db) is None
    assert request.state == "verified"
    assert routing.forward_of(store, request_id) is None


@pytest.mark.req("PC-1")
def test_by_plan_alone_only_processor_tables_forward(manifest: Manifest) -> None:
    by_email = routing.classify(manifest, {"email": OUTSIDER})
    assert not by_email.processor_only and "app_db.users" in by_email.controller_tables
    system = manifest.systems["app_db"]
    tables = {k: v for k, v in system.tables.items() if k in ("observations", "scores")}
    tables["traces"] = system.tables["traces"].model_copy(update={"references": ()})
    traces_only = manifest.model_copy(
        update={"systems": {"app_db": system.model_copy(update={"tables": tables})}}
    )
    assert routing.classify(traces_only, {"email": OUTSIDER}).processor_only
