"""The consent ledger on the real store: append-only receipts, hashed identities, derived state (CN-1)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient

from privacyops.store.models.audit import AuditEvent
from privacyops.store.models.consent import ConsentReceipt, ConsentState
from tests.integration.consent.conftest import ADMIN

EMAIL = "ledger.subject@example.com"
GRANT = {
    "subject": [f"email:{EMAIL}"],
    "purpose": "marketing_communications",
    "granted": True,
    "notice_version": "2026-03-26",
    "method": "form",
    "channel": "web",
    "regime": "gdpr",
}


def _count(app: FastAPI) -> int:
    with app.state.services.sessions() as session:
        return int(session.scalar(sa.select(sa.func.count()).select_from(ConsentReceipt)) or 0)


@pytest.mark.req("CN-1")
def test_receipts_are_append_only_in_the_database_and_keep_no_identity(
    app: FastAPI, client: TestClient
) -> None:
    first = client.post("/api/v1/consent/receipts", headers=ADMIN, json=GRANT)
    assert first.status_code == 201, first.text
    body = first.json()
    assert body["notice_version"] == "2026-03-26" and body["granted"] is True
    assert "Send marketing and promotional messages" in body["text_shown"] and len(body["notice_hash"]) == 64
    withdrawn = client.post("/api/v1/consent/receipts", headers=ADMIN, json={**GRANT, "granted": False})
    assert withdrawn.status_code == 201
    engine = app.state.services.engine
    for statement in ("UPDATE consent_receipts SET granted = true", "DELETE FROM consent_receipts"):
        with pytest.raises(sa.exc.DBAPIError, match="append-only"), engine.begin() as conn:
            conn.exec_driver_sql(statement)
    assert _count(app) == 2
    with app.state.services.sessions() as session:
        receipts = session.scalars(sa.select(ConsentReceipt).order_by(ConsentReceipt.id)).all()
        (state,) = session.scalars(sa.select(ConsentState)).all()
        stored = " ".join(str(v) for r in receipts for v in vars(r).values())
    assert [r.granted for r in receipts] == [True, False]
    assert state.receipt_id == withdrawn.json()["receipt_id"] and state.granted is False
    assert EMAIL not in stored and "ledger.subject" not in stored


@pytest.mark.req("CN-1")
def test_bad_receipts_are_refused_naming_the_field_and_record_nothing(
    app: FastAPI, client: TestClient
) -> None:
    cases = [
        ({**GRANT, "notice_version": None}, "notice_version"),
        ({**GRANT, "notice_version": "  "}, "notice_version"),
        ({**GRANT, "purpose": "mind_reading"}, "purpose"),
        ({**GRANT, "subject": ["email:not-an-address"]}, "subject"),
        ({**GRANT, "subject": ["ada@example.com"]}, "subject"),
        ({**GRANT, "method": "telepathy"}, "method"),
    ]
    for body, field in cases:
        answer = client.post("/api/v1/consent/receipts", headers=ADMIN, json=body)
        assert answer.status_code == 422, answer.text
        assert answer.json()["detail"]["field"] == field, answer.text
    assert client.post("/api/v1/consent/receipts", json=GRANT).status_code == 401
    assert _count(app) == 0


def test_a_batch_records_all_or_nothing_with_one_audit_event(app: FastAPI, client: TestClient) -> None:
    good = [{**GRANT, "subject": [f"email:batch{i}@example.com"]} for i in range(3)]
    bad = [good[0], {**good[1], "purpose": "mind_reading"}, good[2]]
    refused = client.post("/api/v1/consent/receipts/batch", headers=ADMIN, json={"receipts": bad})
    assert refused.status_code == 422 and refused.json()["detail"]["field"] == "receipts[1].purpose"
    assert _count(app) == 0
    done = client.post("/api/v1/consent/receipts/batch", headers=ADMIN, json={"receipts": good})
    assert done.status_code == 201, done.text
    assert len(set(done.json()["receipt_ids"])) == 3 and _count(app) == 3
    with app.state.services.sessions() as session:
        actions = session.scalars(
            sa.select(AuditEvent.action).where(AuditEvent.entity == "consent_receipt")
        ).all()
        assert actions == ["consent.recorded"]
        assert session.scalar(sa.select(sa.func.count()).select_from(ConsentState)) == 3


@pytest.mark.req("CN-1")
def test_two_first_choices_of_one_subject_at_once_both_record(app: FastAPI, client: TestClient) -> None:
    # Both find no state row; the second's insert used to collide with the first's (a 500 on PostgreSQL).
    subject = {**GRANT, "subject": ["email:two.at.once@example.com"]}
    start = threading.Barrier(2)

    def post(granted: bool) -> int:
        start.wait()
        return client.post(
            "/api/v1/consent/receipts", headers=ADMIN, json={**subject, "granted": granted}
        ).status_code

    with ThreadPoolExecutor(2) as pool:
        codes = list(pool.map(post, [True, False]))
    assert codes == [201, 201]
    with app.state.services.sessions() as session:
        receipts = session.scalars(sa.select(ConsentReceipt).order_by(ConsentReceipt.id)).all()
        states = session.scalars(sa.select(ConsentState)).all()
    assert len(receipts) == 2 and len(states) == 1
    assert states[0].receipt_id in {r.receipt_id for r in receipts}
