"""Minors: sign-up needs the age attestation (MN-1); a known minor is opted out and erased (MN-2)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient

from privacyops.store.models.consent import ConsentReceipt
from privacyops.store.models.requests import SubjectRequest
from tests.integration.consent.conftest import ADMIN

ADA = "email:ada.signup@example.com"


@pytest.mark.req("MN-1")
def test_sign_up_needs_the_attestation_tied_to_the_notice_version(app: FastAPI, client: TestClient) -> None:
    path = "/api/v1/consent/sign-up-attestations"
    for body in (
        {"subject": [ADA], "notice_version": "2026-03-26"},
        {"subject": [ADA], "notice_version": "2026-03-26", "age_attestation": False},
    ):
        refused = client.post(path, headers=ADMIN, json=body)
        assert refused.status_code == 422 and refused.json()["detail"]["field"] == "age_attestation"
    no_version = client.post(path, headers=ADMIN, json={"subject": [ADA], "age_attestation": True})
    assert no_version.status_code == 422 and no_version.json()["detail"]["field"] == "notice_version"
    with app.state.services.sessions() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(ConsentReceipt)) == 0
    signed = client.post(
        path, headers=ADMIN, json={"subject": [ADA], "age_attestation": True, "notice_version": "2026-03-26"}
    )
    assert signed.status_code == 201, signed.text
    with app.state.services.sessions() as session:
        (receipt,) = session.scalars(sa.select(ConsentReceipt)).all()
    assert (receipt.kind, receipt.notice_version) == ("attestation", "2026-03-26")
    assert "at least 18" in receipt.text_shown


@pytest.mark.req("MN-2")
def test_a_minor_flag_forces_the_sale_share_opt_out_and_queues_an_erasure(
    app: FastAPI, client: TestClient
) -> None:
    kid = "kid@example.com"
    granted = client.post(
        "/api/v1/consent/receipts",
        headers=ADMIN,
        json={
            "subject": [f"email:{kid}"],
            "purpose": "cookies.targeting",
            "granted": True,
            "notice_version": "2026-03-26",
        },
    )
    assert granted.status_code == 201
    flagged = client.post(
        "/api/v1/consent/minors", headers=ADMIN, json={"identities": {"email": kid}, "regions": ["us-ca"]}
    )
    assert flagged.status_code == 201, flagged.text
    decision = client.get(
        "/api/v1/decisions", headers=ADMIN, params={"subject": f"email:{kid}", "purpose": "cookies.targeting"}
    ).json()
    assert decision["allowed"] is False and decision["code"] == "minor"
    with app.state.services.sessions() as session:
        request = session.get(SubjectRequest, flagged.json()["erasure_request"])
        assert request is not None and request.request_type == "account_deletion"
        assert request.verified_at is not None
    bad = client.post("/api/v1/consent/minors", headers=ADMIN, json={"identities": {"shoe_size": "9"}})
    assert bad.status_code == 422 and bad.json()["detail"]["field"] == "identities"
