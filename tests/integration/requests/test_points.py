"""INT-4 and INT-5 on a real store: data points matched in the application database decide what is answered.

The application database is the demo schema in its own SQLite file, reached through the manifest's
``app_db`` system (``APP_DATABASE_URL``), the way the API reaches it in production.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from privacyops.demo import schema as demo
from privacyops.examples import LANGFUSE_MANIFEST
from privacyops.manifest.load import load_manifest
from privacyops.requests import decisions, errors, intake, records, service, verify
from privacyops.requests.context import ServiceContext
from privacyops.requests.points import ManifestPointLookup
from privacyops.store import db
from privacyops.store.models.outbox import OutboxMessage
from privacyops.store.models.requests import SubjectRequest, VerificationChallenge

from .conftest import Inbox

EMAIL = "ada@example.com"
PHONE = "+49 151 12345678"


@pytest.fixture
def app_db_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'app.db'}"
    engine = sa.create_engine(url)
    demo.metadata.create_all(engine)
    when = datetime(2024, 5, 1, tzinfo=UTC)
    with engine.begin() as conn:
        conn.execute(
            demo.users.insert(),
            [
                {
                    "id": "u1",
                    "email": EMAIL,
                    "name": "Ada Lovelace",
                    "phone": "+4915112345678",
                    "country": "DE",
                    "is_minor": False,
                    "created_at": when,
                },
                {
                    "id": "u2",
                    "email": "bob@example.com",
                    "name": "Bob",
                    "phone": "+442079460000",
                    "country": "GB",
                    "is_minor": False,
                    "created_at": when,
                },
            ],
        )
        conn.execute(demo.organizations.insert(), [{"id": "o1", "name": "Org", "created_at": when}])
        conn.execute(
            demo.billing_customers.insert(),
            [
                {
                    "id": "bc1",
                    "org_id": "o1",
                    "user_id": "u1",
                    "stripe_customer_id": "cus_1",
                    "billing_address": "Hauptstr. 1, 10115 Berlin",
                    "card_last4": "4242",
                },
            ],
        )
        conn.execute(
            demo.invoices.insert(),
            [
                {
                    "id": "i1",
                    "billing_customer_id": "bc1",
                    "number": "INV-1",
                    "amount_cents": 4900,
                    "currency": "EUR",
                    "issued_at": when,
                },
            ],
        )
    engine.dispose()
    monkeypatch.setenv("APP_DATABASE_URL", url)
    return url


@pytest.fixture
def sessions(db_url: str) -> Iterator[Any]:
    db.upgrade(db_url)
    engine = db.make_engine(db_url)
    yield db.session_factory(engine)
    engine.dispose()


@pytest.fixture
def ctx(app_db_url: str) -> ServiceContext:
    manifest = load_manifest(LANGFUSE_MANIFEST)
    return ServiceContext(
        key=b"points-tests-key-0123456789abcdef",
        points=ManifestPointLookup(manifest, environ={"APP_DATABASE_URL": app_db_url}),
    )


def submit(session: Session, ctx: ServiceContext, kind: str = "access", **extra: Any) -> SubjectRequest:
    fields: dict[str, Any] = {"identities": {"email": EMAIL}, "regions": ("us-ca",), **extra}
    submission = intake.build_submission(request_type=kind, channel="api", **fields)
    return service.submit(session, ctx, submission, actor="subject").request


def code_of(session: Session, request_id: str) -> str:
    body = session.execute(
        sa.select(OutboxMessage.body_text).where(
            OutboxMessage.request_id == request_id, OutboxMessage.kind == "verification"
        )
    ).scalar_one()
    found = re.search(r"^\s+(\d{6})\s*$", body, re.MULTILINE)
    assert found
    return found.group(1)


# --- through the service -----------------------------------------------------------------------------


@pytest.mark.req("INT-4")
def test_specific_pieces_on_two_points_are_answered_with_categories_and_say_why(
    sessions: Any, ctx: ServiceContext
) -> None:
    with sessions.begin() as session:
        request = submit(session, ctx, data_points={"phone": PHONE}, scope="specific_pieces")
        assert request.state == "awaiting_verification"
        assert request.flags["points"]["matched"] == ["phone"]
        assert PHONE not in str(request.flags) and "4915112345678" not in str(request.flags)  # INT-7
        result = verify.verify_code(session, ctx, request.id, code_of(session, request.id))
        assert result.ok
        assert request.state == "verified"
        record = records.verification_record(request)
        assert (record["method"], record["points"], record["level"]) == ("points", 2, "reasonable")
        assert (
            records.answer_scope(request) is not None and records.answer_scope(request).value == "categories"
        )
        note = records.limitation_note(request)
        assert note is not None and "three matching data points and a signed declaration" in note
        decisions.approve(session, ctx, request.id, actor="reviewer")
        decisions.complete(session, ctx, request.id, actor="reviewer")
        completion = session.execute(
            sa.select(OutboxMessage).where(
                OutboxMessage.request_id == request.id, OutboxMessage.kind == "completion"
            )
        ).scalar_one()
        assert "categories of personal data" in completion.body_text and note in completion.body_text
        assert 'id="scope-note"' in completion.body_html


@pytest.mark.req("INT-4")
def test_three_points_and_a_declaration_allow_specific_pieces(sessions: Any, ctx: ServiceContext) -> None:
    points = {"phone": PHONE, "invoices.amount_cents": "4900"}
    with sessions.begin() as session:
        request = submit(session, ctx, data_points=points, declaration_signed=True)
        verify.verify_code(session, ctx, request.id, code_of(session, request.id))
        record = records.verification_record(request)
        assert (record["points"], record["level"], record["scope"]) == (
            3,
            "reasonably_high",
            "specific_pieces",
        )
        assert records.limitation_note(request) is None


@pytest.mark.req("INT-4")
def test_three_points_without_the_declaration_stay_at_categories(sessions: Any, ctx: ServiceContext) -> None:
    points = {"phone": PHONE, "amount_cents": "4900"}
    with sessions.begin() as session:
        request = submit(session, ctx, data_points=points)
        verify.verify_code(session, ctx, request.id, code_of(session, request.id))
        assert records.verification_record(request)["scope"] == "categories"
        assert "without a signed declaration" in (records.limitation_note(request) or "")


@pytest.mark.req("INT-4")
def test_points_alone_verify_an_erasure_without_a_code(sessions: Any, ctx: ServiceContext) -> None:
    with sessions.begin() as session:
        request = submit(
            session,
            ctx,
            "erasure",
            identities={"user_id": "u1"},
            data_points={"phone": PHONE, "billing_address": "hauptstr. 1,  10115 berlin"},
        )
        assert request.state == "awaiting_approval"
        assert records.verification_record(request)["points"] == 2
        challenges = session.execute(
            sa.select(sa.func.count()).select_from(VerificationChallenge)
        ).scalar_one()
        assert challenges == 0


@pytest.mark.req("INT-4")
def test_points_that_do_not_match_deny_the_request_as_unverifiable(
    sessions: Any, ctx: ServiceContext
) -> None:
    with sessions.begin() as session:
        request = submit(
            session, ctx, "erasure", identities={"user_id": "u1"}, data_points={"phone": "+44 20 7946 0000"}
        )
        assert request.state == "denied"
        assert request.denial_code == "unverifiable"
        note = records.limitation_note(request)
        assert note is not None and "0 data point(s) matched" in note


def test_a_code_to_an_unknown_address_is_not_a_point(sessions: Any, ctx: ServiceContext) -> None:
    with sessions.begin() as session:
        request = submit(
            session,
            ctx,
            "erasure",
            identities={"email": "stranger@example.com"},
            data_points={"phone": PHONE},
        )
        verify.verify_code(session, ctx, request.id, code_of(session, request.id))
        assert request.state == "denied"  # the stranger's address is not on record, the phone not theirs


def test_an_unknown_point_is_refused_and_nothing_is_stored(sessions: Any, ctx: ServiceContext) -> None:
    with sessions.begin() as session, pytest.raises(errors.RequestRuleError) as caught:
        submit(session, ctx, data_points={"shoe_size": "42"})
    assert caught.value.field == "data_points.shoe_size"
    with sessions() as session:
        assert session.execute(sa.select(sa.func.count()).select_from(SubjectRequest)).scalar_one() == 0


@pytest.mark.parametrize(
    ("identities", "corrects", "points"),
    [
        ({"email": EMAIL}, ["email"], {}),  # the code would go to the address being corrected
        ({"user_id": "u1"}, ["phone"], {"phone": PHONE, "card_last4": "4242"}),
        ({"user_id": "u1"}, ["phone"], {"users.phone": PHONE, "card_last4": "4242"}),
    ],
)
@pytest.mark.req("INT-5")
def test_a_correction_verified_through_the_field_it_corrects_is_refused(
    sessions: Any,
    ctx: ServiceContext,
    identities: dict[str, str],
    corrects: list[str],
    points: dict[str, str],
) -> None:
    with sessions.begin() as session, pytest.raises(errors.VerificationRefused) as caught:
        submit(session, ctx, "rectification", identities=identities, corrects=corrects, data_points=points)
    assert caught.value.field == "verified_via"
    assert corrects[0] in caught.value.message
    with sessions() as session:
        assert session.execute(sa.select(sa.func.count()).select_from(SubjectRequest)).scalar_one() == 0


@pytest.mark.req("INT-5")
def test_a_correction_verified_through_other_data_goes_ahead(sessions: Any, ctx: ServiceContext) -> None:
    with sessions.begin() as session:
        request = submit(
            session,
            ctx,
            "rectification",
            identities={"user_id": "u1"},
            corrects=["name"],
            data_points={"phone": PHONE, "card_last4": "4242"},
        )
        assert request.state == "verified"
        assert verify.corrected_fields(request) == ["name"]


@pytest.mark.req("INT-5")
def test_the_code_check_refuses_a_stored_correction_of_the_email(sessions: Any, ctx: ServiceContext) -> None:
    with sessions.begin() as session:
        request = submit(session, ctx, "rectification", corrects=["name"])
        request.flags = {**request.flags, "corrects": ["email"]}  # e.g. edited by an operator later
        with pytest.raises(errors.VerificationRefused):
            verify.verify_code(session, ctx, request.id, code_of(session, request.id))
        assert request.state == "awaiting_verification"


# --- over HTTP ---------------------------------------------------------------------------------------


@pytest.mark.req("INT-4")
def test_http_points_answer_with_categories_and_the_status_page_says_why(
    app_db_url: str, client: TestClient, smtp: Inbox, send_mail: Any, admin: dict[str, str]
) -> None:
    body = {
        "type": "access",
        "identities": {"email": EMAIL},
        "regions": ["us-ca"],
        "scope": "specific_pieces",
        "data_points": {"phone": PHONE},
    }
    response = client.post("/api/v1/requests", json=body)
    assert response.status_code == 201, response.text
    request_id = response.json()["id"]
    send_mail()
    smtp.wait_for(2)
    verified = client.post(f"/api/v1/requests/{request_id}/verify", json={"code": smtp.code()})
    assert verified.status_code == 200, verified.text
    shown = verified.json()
    assert (shown["state"], shown["verified_by"], shown["answer_scope"]) == (
        "verified",
        "points",
        "categories",
    )
    assert "signed declaration" in shown["verification_note"]
    page = client.get(f"/privacy/requests/{request_id}")
    assert 'id="verification-note"' in page.text and "categories of personal data" in page.text
    assert client.post(f"/api/v1/requests/{request_id}/approve", json={}, headers=admin).status_code == 200
    assert client.post(f"/api/v1/requests/{request_id}/complete", json={}, headers=admin).status_code == 200
    send_mail()
    done = smtp.wait_for(3) and smtp.of_kind("is done")[0]
    text = done.get_body(preferencelist=("plain",)).get_content()
    assert "categories of personal data" in text and "signed declaration" in text


@pytest.mark.req("INT-5")
def test_http_bad_points_and_corrections_answer_422_naming_the_field(
    app_db_url: str, client: TestClient, admin: dict[str, str]
) -> None:
    unknown = client.post(
        "/api/v1/requests", json={"type": "access", "identities": {"email": EMAIL}, "data_points": {"x": "1"}}
    )
    assert unknown.status_code == 422
    assert unknown.json()["detail"]["field"] == "data_points.x"
    correction = client.post(
        "/api/v1/requests",
        json={"type": "rectification", "identities": {"email": EMAIL}, "corrects": ["email"]},
    )
    assert correction.status_code == 422
    assert correction.json()["detail"]["field"] == "verified_via"
    assert "email" in correction.json()["detail"]["rule"]
    bad_scope = client.post(
        "/api/v1/requests", json={"type": "erasure", "identities": {"email": EMAIL}, "scope": "categories"}
    )
    assert bad_scope.status_code == 422 and bad_scope.json()["detail"]["field"] == "scope"
    assert client.get("/api/v1/requests", headers=admin).json() == []


def test_http_points_without_a_connected_database_are_refused(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("APP_DATABASE_URL", raising=False)
    response = client.post(
        "/api/v1/requests",
        json={"type": "access", "identities": {"email": EMAIL}, "data_points": {"phone": PHONE}},
    )
    assert response.status_code == 422
    assert response.json()["detail"]["field"] == "data_points"
    assert "APP_DATABASE_URL" in response.json()["detail"]["rule"]
