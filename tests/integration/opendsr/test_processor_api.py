"""OpenDSR end to end: signed requests, callbacks to a real server, erasure on the demo database."""

from __future__ import annotations

import base64
import hashlib
import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient

from privacyops.opendsr import signing, tasks
from tests.integration.opendsr.conftest import CallbackServer, Demo

SUBMITTED = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def register(client: TestClient, admin: dict[str, str], project: str, name: str = "Acme") -> dict[str, str]:
    answer = client.post("/api/v1/opendsr/clients", headers=admin,
                         json={"name": name, "project_id": project, "admin_emails": ["admin@acme.example"]})
    assert answer.status_code == 201, answer.text
    return {"Authorization": f"Bearer {answer.json()['token']}"}


def document(kind: str, identities: list[dict[str, str]], callbacks: list[str]) -> dict[str, Any]:
    return {
        "regulation": "gdpr", "subject_request_id": str(uuid.uuid4()), "subject_request_type": kind,
        "submitted_time": SUBMITTED.isoformat(), "subject_identities": identities, "api_version": "2.0",
        "status_callback_urls": callbacks,
    }


def public_key(client: TestClient) -> str:
    answer = client.get("/opendsr/v1/discovery")
    assert answer.status_code == 200
    assert signing.verify(answer.json()["processor_public_key"], answer.content,
                          answer.headers[signing.SIGNATURE_HEADER])
    return str(answer.json()["processor_public_key"])


def run_queued(app: FastAPI, request_pk: int) -> None:
    """Do what the worker does for this request: run it, then send its callbacks."""
    context = app.state.services.queue.context
    tasks.process_request(context, request_pk)
    tasks.send_callbacks(context)


def request_pk(app: FastAPI, subject_request_id: str) -> int:
    with app.state.services.sessions() as session:
        return int(session.execute(sa.text(
            "SELECT id FROM opendsr_requests WHERE subject_request_id = :s"), {"s": subject_request_id}
        ).scalar_one())


def traces(url: str, where: str, **params: Any) -> set[str]:
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        found = {row[0] for row in conn.execute(sa.text(f"SELECT id FROM traces WHERE {where}"), params)}
    engine.dispose()
    return found


@pytest.mark.req("PC-2")
def test_erasure_removes_the_end_user_traces_in_that_project_only(
    app: FastAPI, client: TestClient, admin_headers: dict[str, str], demo: Demo,
    callback_server: CallbackServer,
) -> None:
    key = public_key(client)
    customer = register(client, admin_headers, demo.project)
    in_project = traces(demo.url, "user_id = :u AND project_id = :p", u=demo.user, p=demo.project)
    elsewhere = traces(demo.url, "NOT (user_id = :u AND project_id = :p)", u=demo.user, p=demo.project)
    assert in_project and demo.extra_trace in elsewhere
    body = document("erasure", [{"identity_type": "controller_customer_id", "identity_value": demo.user,
                                 "identity_format": "raw"}], [callback_server.url])

    answer = client.post("/opendsr/v1/requests", headers=customer, json=body)

    assert answer.status_code == 201, answer.text
    assert signing.verify(key, answer.content, answer.headers[signing.SIGNATURE_HEADER])
    receipt = answer.json()
    expected = datetime.fromisoformat(receipt["expected_completion_time"])
    received = datetime.fromisoformat(receipt["received_time"])
    assert received < expected < SUBMITTED + timedelta(days=30)  # one month after 20 November
    sent = base64.b64decode(receipt["encoded_request"])
    assert json.loads(sent) == body
    assert signing.verify(key, sent, receipt["processor_signature"])  # a signed receipt of what was sent
    run_queued(app, request_pk(app, body["subject_request_id"]))

    statuses = [r.json()["request_status"] for r in callback_server.received]
    assert statuses == ["pending", "in_progress", "completed"]
    for callback in callback_server.received:
        assert signing.verify(key, callback.body, callback.headers[signing.SIGNATURE_HEADER.lower()])
        assert callback.json()["status_callback_url"] == callback_server.url
        assert callback.json()["subject_request_id"] == body["subject_request_id"]
    assert traces(demo.url, "user_id = :u AND project_id = :p", u=demo.user, p=demo.project) == set()
    rest = traces(demo.url, "NOT (user_id = :u AND project_id = :p)", u=demo.user, p=demo.project)
    assert rest == elsewhere
    engine = sa.create_engine(demo.url)
    with engine.connect() as conn:
        users = conn.execute(sa.text("SELECT count(*) FROM users WHERE id = :u"), {"u": demo.user}).scalar()
        assert users == 1  # the account is the controller's data: untouched
        left = conn.execute(sa.text("SELECT count(*) FROM observations WHERE trace_id IN :ids").bindparams(
            sa.bindparam("ids", expanding=True)), {"ids": sorted(in_project)}).scalar()
        assert left == 0
    engine.dispose()
    status = client.get(f"/opendsr/v1/requests/{body['subject_request_id']}", headers=customer)
    assert status.status_code == 200
    assert signing.verify(key, status.content, status.headers[signing.SIGNATURE_HEADER])
    assert status.json()["request_status"] == "completed"
    assert status.json()["results_count"] >= len(in_project)


@pytest.mark.req("PC-2")
def test_hashed_email_access_returns_only_rows_of_that_project(
    app: FastAPI, client: TestClient, admin_headers: dict[str, str], demo: Demo,
) -> None:
    customer = register(client, admin_headers, demo.project)
    in_project = traces(demo.url, "user_id = :u AND project_id = :p", u=demo.user, p=demo.project)
    for form in ("sha256", "md5", "sha1"):
        hashed = hashlib.new(form, demo.email.encode()).hexdigest()
        body = document("access", [{"identity_type": "email", "identity_value": hashed,
                                    "identity_format": form}], [])
        assert client.post("/opendsr/v1/requests", headers=customer, json=body).status_code == 201
        run_queued(app, request_pk(app, body["subject_request_id"]))
        results = client.get(f"/opendsr/v1/requests/{body['subject_request_id']}/results", headers=customer)
        assert results.status_code == 200, results.text
        found = {row["id"] for row in results.json()["tables"]["app_db.traces"]}
        assert found == in_project, form
        assert demo.extra_trace not in found


@pytest.mark.req("PC-2")
def test_cancel_only_while_pending_and_only_own_requests(
    client: TestClient, admin_headers: dict[str, str], demo: Demo, callback_server: CallbackServer,
    app: FastAPI,
) -> None:
    customer = register(client, admin_headers, demo.project)
    stranger = register(client, admin_headers, demo.other_project, name="Other")
    body = document("erasure", [{"identity_type": "email", "identity_value": demo.email,
                                 "identity_format": "raw"}], [callback_server.url])
    assert client.post("/opendsr/v1/requests", headers=customer, json=body).status_code == 201
    path = f"/opendsr/v1/requests/{body['subject_request_id']}"

    assert client.get(path, headers=stranger).status_code == 404
    assert client.delete(path, headers=stranger).status_code == 404
    cancelled = client.delete(path, headers=customer)
    assert cancelled.status_code == 202
    assert cancelled.json()["subject_request_id"] == body["subject_request_id"]
    again = client.delete(path, headers=customer)
    assert again.status_code == 409
    assert again.json()["error"]["errors"][0]["field"] == "request_status"
    tasks.send_callbacks(app.state.services.queue.context)
    assert [r.json()["request_status"] for r in callback_server.received] == ["pending", "cancelled"]
    assert traces(demo.url, "user_id = :u AND project_id = :p", u=demo.user, p=demo.project)


@pytest.mark.req("PC-2")
def test_bad_documents_and_missing_tokens(client: TestClient, admin_headers: dict[str, str]) -> None:
    customer = register(client, admin_headers, "p_1")
    good = document("erasure", [{"identity_type": "email", "identity_value": "a@example.com"}], [])
    cases = [
        ({**good, "subject_request_id": "not-a-uuid"}, "subject_request_id"),
        ({**good, "regulation": "lgpd"}, "regulation"),
        ({**good, "submitted_time": "2026-11-20T09:00:00"}, "submitted_time"),
        ({**good, "subject_identities": [{"identity_type": "email", "identity_value": "abc",
                                          "identity_format": "sha256"}]}, "subject_identities[0]"),
        ({**good, "subject_identities": [{"identity_type": "android_id", "identity_value": "x"}]},
         "subject_identities[0].identity_type"),
        ({k: v for k, v in good.items() if k != "subject_request_type"}, "subject_request_type"),
    ]
    for body, field in cases:
        answer = client.post("/opendsr/v1/requests", headers=customer, json=body)
        assert answer.status_code == 400, (field, answer.text)
        fields = [e["field"] for e in answer.json()["error"]["errors"]]
        assert field in fields, (field, fields)
    assert client.post("/opendsr/v1/requests", json=good).status_code == 401
    assert client.post("/opendsr/v1/requests", headers=admin_headers, json=good).status_code == 401
    path = f"/opendsr/v1/requests/{good['subject_request_id']}"
    for method, url in (("GET", path), ("DELETE", path), ("GET", f"{path}/results")):
        bare = client.request(method, url)
        assert bare.status_code == 401 and bare.headers["www-authenticate"] == "Bearer", (method, url)
        assert client.request(method, url, headers=admin_headers).status_code == 401  # not a customer token
    first = client.post("/opendsr/v1/requests", headers=customer, json=good)
    assert first.status_code == 201
    assert client.post("/opendsr/v1/requests", headers=customer, json=good).status_code == 409


@pytest.mark.req("PC-2")
def test_a_failed_callback_is_retried_in_order(
    app: FastAPI, client: TestClient, admin_headers: dict[str, str], demo: Demo,
    callback_server: CallbackServer,
) -> None:
    customer = register(client, admin_headers, demo.project)
    body = document("access", [{"identity_type": "controller_customer_id", "identity_value": demo.user}],
                    [callback_server.url])
    callback_server.fail_next = 1
    assert client.post("/opendsr/v1/requests", headers=customer, json=body).status_code == 201
    context = app.state.services.queue.context
    tasks.process_request(context, request_pk(app, body["subject_request_id"]))
    try:
        tasks.send_callbacks(context)
        raised = False
    except RuntimeError:
        raised = True
    assert raised and callback_server.received == []  # nothing overtakes the failed 'pending'
    assert tasks.send_callbacks(context) == 3
    assert [r.json()["request_status"] for r in callback_server.received] == ["pending", "in_progress",
                                                                               "completed"]
