"""The request API end to end: intake, a code read from a real SMTP message, decisions, audit."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from privacyops.audit import chain
from privacyops.store.models.audit import AuditEvent
from privacyops.store.models.outbox import OutboxMessage

from .conftest import Inbox


def file(client: TestClient, **overrides: Any) -> Any:
    body = {"type": "access", "identities": {"email": "ada@example.com"}, "regions": ["eu"], **overrides}
    return client.post("/api/v1/requests", json=body)


@pytest.mark.req("INT-1", "DL-2", "RK-4")
def test_public_intake_sends_acknowledgement_and_code_then_verifies(
    client: TestClient, smtp: Inbox, send_mail: Any, admin: dict[str, str], app: Any
) -> None:
    response = file(client)
    assert response.status_code == 201, response.text
    created = response.json()
    assert created["state"] == "awaiting_verification"
    assert created["response_due"] is not None
    report = send_mail()
    assert report.sent == 2
    smtp.wait_for(2)
    ack = smtp.of_kind("received your privacy request")[0]
    assert ack["To"] == "ada@example.com"
    assert ack.get_body(preferencelist=("html",)) is not None
    assert created["response_due"] in ack.get_body(preferencelist=("plain",)).get_content()
    verified = client.post(f"/api/v1/requests/{created['id']}/verify", json={"code": smtp.code()})
    assert verified.status_code == 200, verified.text
    assert verified.json()["state"] == "verified"
    assert verified.json()["verified_at"] is not None
    detail = client.get(f"/api/v1/requests/{created['id']}", headers=admin).json()
    assert [h["target"] for h in detail["history"]] == ["awaiting_verification", "verified"]
    assert detail["identities"][0]["value"] == "ada@example.com"
    with app.state.services.sessions() as session:
        assert chain.verify(session).ok
        events = session.execute(sa.select(AuditEvent).where(AuditEvent.entity_id == created["id"])).scalars()
        assert [e.action for e in events] == ["request.received", "request.transition", "request.transition"]
        # the code is not kept in the outbox once it was delivered
        bodies = session.execute(
            sa.select(OutboxMessage.body_text).where(OutboxMessage.kind == "verification")
        )
        assert all(smtp.code() not in body for body in bodies.scalars())


def test_sending_twice_delivers_once(client: TestClient, smtp: Inbox, send_mail: Any) -> None:
    assert file(client).status_code == 201
    assert send_mail().sent == 2
    assert send_mail().sent == 0
    assert len(smtp.wait_for(2)) == 2
    ids = {m["Message-ID"] for m in smtp.messages}
    assert len(ids) == 2


def test_wrong_codes_lock_after_five_and_leave_request_unchanged(
    client: TestClient, smtp: Inbox, send_mail: Any
) -> None:
    request_id = file(client).json()["id"]
    send_mail()
    code = smtp.code()
    wrong = "000000" if code != "000000" else "111111"
    for attempt in range(5):
        answer = client.post(f"/api/v1/requests/{request_id}/verify", json={"code": wrong})
        assert answer.status_code == 422
        assert answer.json()["detail"]["field"] == "code"
        assert answer.json()["detail"]["attempts_left"] == 4 - attempt
    locked = client.post(f"/api/v1/requests/{request_id}/verify", json={"code": code})
    assert locked.status_code == 422
    assert "5 times" in locked.json()["detail"]["rule"]
    assert client.get(f"/api/v1/requests/{request_id}/status").json()["state"] == "awaiting_verification"


def test_a_new_code_replaces_a_locked_one(client: TestClient, smtp: Inbox, send_mail: Any) -> None:
    request_id = file(client).json()["id"]
    send_mail()
    assert client.post(f"/api/v1/requests/{request_id}/verify/resend").status_code == 202
    send_mail()
    assert len(smtp.of_kind("confirmation code")) == 2
    answer = client.post(f"/api/v1/requests/{request_id}/verify", json={"code": smtp.code()})
    assert answer.json()["state"] == "verified"


def test_duplicate_links_to_the_open_request_without_revealing_it(
    client: TestClient, admin: dict[str, str]
) -> None:
    first = file(client)
    again = file(client, identities={"email": "ADA@example.com "})
    assert again.status_code == 200
    assert again.json()["linked"] is True
    assert "id" not in again.json()
    listed = client.get("/api/v1/requests", headers=admin).json()
    assert [r["id"] for r in listed] == [first.json()["id"]]
    other_type = file(client, type="erasure")
    assert other_type.status_code == 201


@pytest.mark.req("DL-4")
def test_opt_out_needs_no_verification_and_runs_on_the_short_clock(client: TestClient) -> None:
    answer = file(client, type="opt_out_sale_share", regions=["us-ca"])
    assert answer.status_code == 201
    assert answer.json()["state"] == "verified"


@pytest.mark.req("ER-5")
def test_erasure_waits_for_approval_then_completes_with_er5_wording(
    client: TestClient, smtp: Inbox, send_mail: Any, admin: dict[str, str]
) -> None:
    request_id = file(client, type="erasure").json()["id"]
    send_mail()
    verified = client.post(f"/api/v1/requests/{request_id}/verify", json={"code": smtp.code()})
    assert verified.json()["state"] == "awaiting_approval"
    approved = client.post(f"/api/v1/requests/{request_id}/approve", json={"note": "ok"}, headers=admin)
    assert approved.json()["state"] == "in_progress"
    done = client.post(f"/api/v1/requests/{request_id}/complete", json={}, headers=admin)
    assert done.json()["state"] == "completed"
    send_mail()
    completion = smtp.of_kind("is done")[0].get_body(preferencelist=("plain",)).get_content()
    assert "erased your personal data" in completion
    assert "keep a record that you made this request" in completion
    again = file(client, type="access")
    detail = client.get(f"/api/v1/requests/{again.json()['id']}", headers=admin).json()
    assert detail["flags"]["previously_erased"] is True


@pytest.mark.req("DL-1")
def test_denial_tells_the_subject_how_to_complain(
    client: TestClient, smtp: Inbox, send_mail: Any, admin: dict[str, str]
) -> None:
    request_id = file(client).json()["id"]
    denied = client.post(
        f"/api/v1/requests/{request_id}/deny",
        json={"code": "unverifiable", "reason": "the code was never entered"},
        headers=admin,
    )
    assert denied.status_code == 200, denied.text
    assert denied.json()["denial_code"] == "unverifiable"
    send_mail()
    text = smtp.of_kind("cannot act")[0].get_body(preferencelist=("plain",)).get_content()
    assert "the code was never entered" in text
    assert "complain" in text and "edpb.europa.eu" in text
    again = client.post(f"/api/v1/requests/{request_id}/cancel", json={"reason": "x"}, headers=admin)
    assert again.status_code == 409
    assert again.json()["detail"]["field"] == "target"
