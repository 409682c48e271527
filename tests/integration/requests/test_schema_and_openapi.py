"""The request tables migrate on a single Alembic head, and the API documents its endpoints with examples."""

from __future__ import annotations

import sqlalchemy as sa
from alembic.script import ScriptDirectory
from fastapi.testclient import TestClient

from privacyops.store import db


def test_migrations_have_a_single_head_that_creates_the_request_tables(db_url: str) -> None:
    script = ScriptDirectory.from_config(db.alembic_config("sqlite://"))
    assert len(script.get_heads()) == 1
    db.upgrade(db_url)
    engine = db.make_engine(db_url)
    tables = set(sa.inspect(engine).get_table_names())
    engine.dispose()
    assert {
        "subject_requests",
        "request_identities",
        "request_transitions",
        "verification_challenges",
        "erasure_suppressions",
        "outbox_messages",
    } <= tables


def test_openapi_documents_request_endpoints_with_examples(client: TestClient) -> None:
    spec = client.get("/api/v1/openapi.json").json()
    paths = spec["paths"]
    for path in (
        "/api/v1/requests",
        "/api/v1/requests/{request_id}/verify",
        "/api/v1/requests/{request_id}/deny",
        "/api/v1/requests/import/ticket",
        "/api/v1/requests/import/eml",
        "/api/v1/requests/log",
    ):
        assert path in paths, path
    schemas = spec["components"]["schemas"]
    for name in ("RequestIn", "TicketIn", "DenyIn", "ExtendIn", "InboundEmailIn"):
        assert schemas[name]["examples"], name
    assert "message/rfc822" in paths["/api/v1/requests/import/eml"]["post"]["requestBody"]["content"]
