"""INT-3 over HTTP: a host-application token verifies an account holder at once; a stale one is refused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from privacyops.audit import chain
from privacyops.requests.tokens import sign_host_token
from privacyops.settings import Settings
from privacyops.store.models.audit import AuditEvent
from privacyops.store.models.outbox import OutboxMessage

HOST_KEY = "host-application-shared-key-0123456789"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"host_token_key": HOST_KEY})


def token(
    minutes_ago: float = 1,
    *,
    user_id: str = "user_42",
    email: str | None = "ada@example.com",
    key: str = HOST_KEY,
) -> str:
    issued = datetime.now(UTC) - timedelta(minutes=minutes_ago)
    return sign_host_token(key.encode(), user_id=user_id, email=email, issued_at=issued)


def bearer(value: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {value}"}


def count_requests(client: TestClient, admin: dict[str, str]) -> int:
    return len(client.get("/api/v1/requests", headers=admin).json())


@pytest.mark.req("INT-3")
def test_a_fresh_token_verifies_the_account_holder_at_once(
    client: TestClient, admin: dict[str, str], app: Any
) -> None:
    response = client.post("/api/v1/requests", json={"type": "access"}, headers=bearer(token()))
    assert response.status_code == 201, response.text
    created = response.json()
    assert created["state"] == "verified"
    assert created["verified_at"] is not None
    assert created["verified_by"] == "host_token"
    detail = client.get(f"/api/v1/requests/{created['id']}", headers=admin).json()
    assert {(i["kind"], i["value"]) for i in detail["identities"]} == {
        ("user_id", "user_42"),
        ("email", "ada@example.com"),
    }
    assert [h["target"] for h in detail["history"]] == ["verified"]
    assert "host_token" in detail["history"][0]["reason"]
    assert detail["flags"]["verification"]["method"] == "host_token"
    with app.state.services.sessions() as session:
        assert chain.verify(session).ok
        events = (
            session.execute(
                sa.select(AuditEvent).where(AuditEvent.entity_id == created["id"]).order_by(AuditEvent.id)
            )
            .scalars()
            .all()
        )
        assert [e.action for e in events] == ["request.received", "request.transition", "request.verified"]
        assert events[-1].data["method"] == "host_token"
        kinds = (
            session.execute(sa.select(OutboxMessage.kind).where(OutboxMessage.request_id == created["id"]))
            .scalars()
            .all()
        )
        assert kinds == ["acknowledgement"]  # no code is sent to a signed-in account holder


def test_the_token_may_come_in_the_body_and_erasure_then_awaits_approval(client: TestClient) -> None:
    response = client.post("/api/v1/requests", json={"type": "erasure", "host_token": token(5)})
    assert response.status_code == 201, response.text
    assert response.json()["state"] == "awaiting_approval"  # PRIVACYOPS_APPROVAL_REQUIRED default
    assert response.json()["verified_at"] is not None


@pytest.mark.parametrize("kind", ["erasure", "rectification", "access", "account_deletion"])
@pytest.mark.req("INT-3")
def test_a_token_older_than_the_step_up_window_is_refused(
    client: TestClient, admin: dict[str, str], kind: str
) -> None:
    response = client.post("/api/v1/requests", json={"type": kind}, headers=bearer(token(16)))
    assert response.status_code == 403, response.text
    detail = response.json()["detail"]
    assert detail["field"] == "token"
    assert "15 minutes" in detail["rule"] and "sign in again" in detail["rule"]
    assert count_requests(client, admin) == 0


@pytest.mark.req("INT-3")
def test_an_old_sign_in_may_still_restrict_processing(client: TestClient) -> None:
    response = client.post("/api/v1/requests", json={"type": "restriction"}, headers=bearer(token(120)))
    assert response.status_code == 201, response.text
    assert response.json()["state"] == "verified"


@pytest.mark.parametrize(
    ("value", "rule"),
    [
        (token(key="some-other-key-that-is-long-enough"), "signature"),
        ("not-a-token", "compact JWT"),
        (token(60 * 25), "too old"),
        (token(-30), "future"),
    ],
)
def test_an_invalid_token_is_unauthorised_and_nothing_is_stored(
    client: TestClient, admin: dict[str, str], value: str, rule: str
) -> None:
    response = client.post("/api/v1/requests", json={"type": "restriction"}, headers=bearer(value))
    assert response.status_code == 401, response.text
    assert response.json()["detail"]["field"] == "token"
    assert rule in response.json()["detail"]["rule"]
    assert count_requests(client, admin) == 0


def test_an_identity_that_is_not_the_accounts_is_refused(client: TestClient, admin: dict[str, str]) -> None:
    body = {"type": "access", "identities": {"email": "mallory@example.com"}}
    response = client.post("/api/v1/requests", json=body, headers=bearer(token()))
    assert response.status_code == 422
    assert response.json()["detail"]["field"] == "identities.email"
    assert count_requests(client, admin) == 0


def test_other_identities_are_kept_beside_the_tokens(client: TestClient, admin: dict[str, str]) -> None:
    body = {"type": "access", "identities": {"phone": "+49 30 1234567"}}
    created = client.post("/api/v1/requests", json=body, headers=bearer(token(email=None))).json()
    detail = client.get(f"/api/v1/requests/{created['id']}", headers=admin).json()
    assert {i["kind"] for i in detail["identities"]} == {"user_id", "phone"}


@pytest.mark.req("INT-5")
def test_a_correction_by_a_signed_in_holder_may_correct_the_email(client: TestClient) -> None:
    body = {"type": "rectification", "corrects": ["email"]}
    response = client.post("/api/v1/requests", json=body, headers=bearer(token()))
    assert response.status_code == 201, response.text
    assert response.json()["state"] == "verified"


class TestSettings:
    """The step-up window and the approval list come from settings."""

    @pytest.fixture
    def settings(self, settings: Settings) -> Settings:
        return settings.model_copy(update={"step_up_minutes": 30, "approval_required": ("access",)})

    @pytest.mark.req("INT-3")
    def test_a_longer_window_and_another_approval_list(self, client: TestClient) -> None:
        erasure = client.post("/api/v1/requests", json={"type": "erasure"}, headers=bearer(token(20)))
        assert erasure.status_code == 201, erasure.text
        assert erasure.json()["state"] == "verified"  # erasure no longer needs approval
        access = client.post("/api/v1/requests", json={"type": "access"}, headers=bearer(token(20)))
        assert access.json()["state"] == "awaiting_approval"
        stale = client.post("/api/v1/requests", json={"type": "rectification"}, headers=bearer(token(31)))
        assert stale.status_code == 403
        assert "30 minutes" in stale.json()["detail"]["rule"]
