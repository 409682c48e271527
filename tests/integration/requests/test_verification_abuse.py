"""Guessing codes and flooding: lifetime caps per request, store-backed rate limits, audited lockouts."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient

from privacyops.api.app import create_app
from privacyops.audit import chain
from privacyops.settings import Settings
from privacyops.store.models.audit import AuditEvent
from privacyops.store.models.outbox import OutboxMessage

from .conftest import Inbox

EMAIL = "grace@example.com"
ADDRESS_A = ("198.51.100.7", 50000)
ADDRESS_B = ("203.0.113.9", 50000)
INBOX = "legal@langfuse.com"  # the privacy contact of the example manifest


@contextmanager
def serving(
    settings: Settings, *, address: tuple[str, int] = ADDRESS_A, **limits: int
) -> Iterator[TestClient]:
    app = create_app(settings.model_copy(update=limits))
    with TestClient(app, client=address) as test_client:
        yield test_client


def file(client: TestClient, email: str = EMAIL, **overrides: Any) -> Any:
    body = {"type": "access", "identities": {"email": email}, "regions": ["eu"], **overrides}
    return client.post("/api/v1/requests", json=body)


def other_than(code: str) -> str:
    return "000000" if code != "000000" else "111111"


def events(app: FastAPI, request_id: str) -> list[AuditEvent]:
    with app.state.services.sessions() as session:
        query = sa.select(AuditEvent).where(AuditEvent.entity_id == request_id).order_by(AuditEvent.id)
        return list(session.execute(query).scalars())


def test_wrong_codes_across_resends_lock_the_request_and_the_lockout_is_audited(
    client: TestClient, app: FastAPI, smtp: Inbox, send_mail: Any
) -> None:
    request_id = file(client).json()["id"]
    send_mail()
    first = smtp.code()
    for left in (4, 3, 2, 1, 0):  # the first code locks after five, as before
        answer = client.post(f"/api/v1/requests/{request_id}/verify", json={"code": other_than(first)})
        assert answer.status_code == 422
        assert answer.json()["detail"]["attempts_left"] == left
    assert client.post(f"/api/v1/requests/{request_id}/verify/resend").status_code == 202
    send_mail()
    second = smtp.code()
    for left in (4, 3, 2, 1):  # a fresh code, but the request has only five wrong codes left
        answer = client.post(f"/api/v1/requests/{request_id}/verify", json={"code": other_than(second)})
        assert answer.json()["detail"]["attempts_left"] == left
    tenth = client.post(f"/api/v1/requests/{request_id}/verify", json={"code": other_than(second)})
    assert tenth.status_code == 409
    assert tenth.json()["detail"]["field"] == "code" and "locked" in tenth.json()["detail"]["rule"]
    right = client.post(f"/api/v1/requests/{request_id}/verify", json={"code": second})
    assert right.status_code == 409, "a locked request takes no code, not even the right one"
    assert client.post(f"/api/v1/requests/{request_id}/verify/resend").status_code == 409
    assert client.get(f"/api/v1/requests/{request_id}/status").json()["state"] == "awaiting_verification"

    locked = [e for e in events(app, request_id) if e.action == "request.verification_locked"]
    assert len(locked) == 1
    assert locked[0].data == {"wrong_codes": 10, "codes_sent": 2, "limit": 10}
    written = json.dumps([e.data for e in events(app, request_id)])
    assert EMAIL not in written and first not in written and second not in written
    with app.state.services.sessions() as session:
        assert chain.verify(session).ok
        alerts = session.execute(sa.select(OutboxMessage).where(OutboxMessage.kind == "alert")).scalars()
        alerts = list(alerts)
    assert len(alerts) == 1 and request_id in alerts[0].body_text and EMAIL not in alerts[0].body_text


def test_a_request_is_sent_at_most_five_codes(client: TestClient, smtp: Inbox, send_mail: Any) -> None:
    request_id = file(client).json()["id"]
    for _ in range(4):
        assert client.post(f"/api/v1/requests/{request_id}/verify/resend").status_code == 202
    refused = client.post(f"/api/v1/requests/{request_id}/verify/resend")
    assert refused.status_code == 409
    assert refused.json()["detail"] == {
        "field": "code",
        "rule": f"all 5 codes for this request were sent; enter the last one, or write to {INBOX} "
        "with the reference",
    }
    send_mail()
    assert len(smtp.of_kind("confirmation code")) == 5
    verified = client.post(f"/api/v1/requests/{request_id}/verify", json={"code": smtp.code()})
    assert verified.json()["state"] == "verified"


def test_filing_from_one_address_is_limited_with_retry_after(settings: Settings) -> None:
    with serving(settings, rate_limit_intake_per_address=3) as client:
        for number in range(3):
            assert file(client, f"person{number}@example.com").status_code == 201
        refused = file(client, "person3@example.com")
        assert refused.status_code == 429
        assert refused.json()["detail"]["field"] == "client"
        assert "try again in" in refused.json()["detail"]["rule"]
        assert 0 < int(refused.headers["Retry-After"]) <= 3600
    with serving(settings, address=ADDRESS_B, rate_limit_intake_per_address=3) as elsewhere:
        assert file(elsewhere, "person3@example.com").status_code == 201


def test_filing_for_one_person_is_limited_whatever_the_address(settings: Settings) -> None:
    with serving(settings, rate_limit_intake_per_identity=2) as client:
        assert file(client).status_code == 201
        assert file(client, type="erasure").status_code == 201
    with serving(settings, address=ADDRESS_B, rate_limit_intake_per_identity=2) as elsewhere:
        refused = file(elsewhere, EMAIL.upper())  # the same person, however the address is written
        assert refused.status_code == 429
        assert refused.json()["detail"]["field"] == "identities"
        assert EMAIL not in refused.text
        assert file(elsewhere, "someone.else@example.com").status_code == 201


def test_api_processes_share_the_count(settings: Settings) -> None:
    with serving(settings, rate_limit_intake_per_address=2) as one, serving(
        settings, rate_limit_intake_per_address=2
    ) as two:
        assert file(one, "a@example.com").status_code == 201
        assert file(two, "b@example.com").status_code == 201
        assert file(one, "c@example.com").status_code == 429


def test_entering_codes_and_asking_for_new_ones_are_limited_per_address(
    settings: Settings, smtp: Inbox, send_mail: Any
) -> None:
    with serving(settings, rate_limit_verify_per_address=2, rate_limit_resend_per_address=1) as client:
        request_id = file(client).json()["id"]
        assert client.post(f"/api/v1/requests/{request_id}/verify/resend").status_code == 202
        resend = client.post(f"/api/v1/requests/{request_id}/verify/resend")
        assert resend.status_code == 429 and "Retry-After" in resend.headers
        send_mail()
        code = smtp.code()
        for _ in range(2):
            wrong = client.post(f"/api/v1/requests/{request_id}/verify", json={"code": other_than(code)})
            assert wrong.status_code == 422
        limited = client.post(f"/api/v1/requests/{request_id}/verify", json={"code": code})
        assert limited.status_code == 429
        assert limited.json()["detail"]["field"] == "client"
        assert client.get(f"/api/v1/requests/{request_id}/status").json()["state"] == "awaiting_verification"


def test_entering_codes_is_limited_per_person_across_addresses(settings: Settings) -> None:
    with serving(settings, rate_limit_verify_per_identity=2) as client:
        request_id = file(client).json()["id"]
        for _ in range(2):
            tried = client.post(f"/api/v1/requests/{request_id}/verify", json={"code": "123456"})
            assert tried.status_code in (200, 422)
    with serving(settings, address=ADDRESS_B, rate_limit_verify_per_identity=2) as elsewhere:
        limited = elsewhere.post(f"/api/v1/requests/{request_id}/verify", json={"code": "123456"})
        assert limited.status_code == 429
        assert limited.json()["detail"]["field"] == "identities"


def test_the_form_shows_a_readable_message_past_a_limit(settings: Settings) -> None:
    with serving(settings, rate_limit_intake_per_address=1) as client:
        form = {"type": "access", "email": EMAIL, "region": "eu"}
        first = client.post("/privacy/request", data=form, follow_redirects=False)
        assert first.status_code == 303
        second = client.post("/privacy/request", data={**form, "email": "other@example.com"})
        assert second.status_code == 429
        assert int(second.headers["Retry-After"]) > 0
        assert "Please wait:" in second.text and "try again in" in second.text
        assert 'value="other@example.com"' in second.text  # what was typed is kept


def test_the_form_locks_after_too_many_wrong_codes(settings: Settings, smtp: Inbox, send_mail: Any) -> None:
    with serving(settings, verify_max_failures=2, rate_limit_verify_per_address=3) as client:
        request_id = file(client).json()["id"]
        send_mail()
        wrong = {"code": other_than(smtp.code())}
        page = f"/privacy/requests/{request_id}/verify"
        assert client.post(page, data=wrong).status_code == 422
        locked = client.post(page, data=wrong)
        assert locked.status_code == 409
        assert "is locked" in locked.text and f"Write to {INBOX} with the reference" in locked.text
        again = client.post(page, data={"code": smtp.code()})
        assert again.status_code == 409
        limited = client.post(page, data={"code": smtp.code()})
        assert limited.status_code == 429 and "try again in" in limited.text
