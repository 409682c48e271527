"""``can_process`` and the decision endpoints: consent, withdrawal, restriction, objection, GPC, minors."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from privacyops import logfilter
from privacyops.consent import decide, ledger, subjects
from privacyops.consent import purposes as cpurposes
from privacyops.execution import restriction
from privacyops.manifest.schema import Manifest
from tests.integration.consent.conftest import ADMIN, SECRET

EMAIL = "decided@example.com"
MARKETING = "marketing_communications"
NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)


def _subject() -> subjects.Subject:
    return subjects.parse(SECRET.encode(), [f"email:{EMAIL}"])


def _record(
    app: FastAPI,
    purpose: str,
    granted: bool,
    *,
    kind: str = "consent",
    signal: str | None = None,
    manifest: Manifest | None = None,
) -> None:
    manifest = manifest or app.state.services.manifest.manifest
    entry = ledger.Entry(
        purpose=purpose,
        granted=granted,
        notice_version="2026-03-26",
        method="api",
        channel="api",
        kind=kind,
        signal=signal,
    )
    with app.state.services.sessions.begin() as session:
        ledger.record(session, cpurposes.catalog(manifest), _subject(), entry, actor="test", now=NOW)


def _decide(app: FastAPI, purpose: str, manifest: Manifest | None = None) -> decide.Decision:
    with app.state.services.sessions() as session:
        return decide.can_process(
            session, _subject(), purpose, manifest=manifest or app.state.services.manifest.manifest
        )


@pytest.mark.req("CN-3")
def test_consent_purposes_need_live_consent_and_flip_to_deny_on_withdrawal(
    app: FastAPI, client: TestClient
) -> None:
    query = {"subject": f"email:{EMAIL}", "purpose": MARKETING}
    assert client.get("/api/v1/decisions", params=query, headers=ADMIN).json()["code"] == "no_consent"
    assert _decide(app, "service_delivery").allowed and _decide(app, "service_delivery").code == "legal_basis"
    _record(app, MARKETING, True)
    allowed = client.get("/api/v1/decisions", params=query, headers=ADMIN).json()
    assert allowed["allowed"] is True and allowed["code"] == "consent" and allowed["receipt_id"]
    _record(app, MARKETING, False)
    denied = client.get("/api/v1/decisions", params=query, headers=ADMIN).json()
    assert denied["allowed"] is False and denied["code"] == "withdrawn"
    assert denied["receipt_id"] != allowed["receipt_id"]


@pytest.mark.req("RR-2")
def test_a_restriction_denies_all_but_storage_and_legal_claims(app: FastAPI) -> None:
    _record(app, MARKETING, True)
    with app.state.services.sessions.begin() as session:
        restriction.record(
            session,
            subject_hashes=_subject().keys,
            kind="restriction",
            scope="*",
            request_id=None,
            actor="test",
            now=NOW,
        )
    assert _decide(app, MARKETING).code == "restriction"
    assert _decide(app, "service_delivery").code == "restriction"
    assert _decide(app, "legal_obligations").allowed


@pytest.mark.req("RR-3")
def test_a_marketing_objection_denies_marketing_even_with_consent(app: FastAPI) -> None:
    _record(app, MARKETING, True)
    assert _decide(app, MARKETING).allowed
    with app.state.services.sessions.begin() as session:
        (row,) = restriction.record(
            session,
            subject_hashes=_subject().keys,
            kind="objection",
            scope=MARKETING,
            request_id=None,
            actor="test",
            now=NOW,
        )
        with pytest.raises(restriction.RestrictionRuleError, match="absolute"):
            restriction.override(
                session, app.state.services.manifest.manifest, row.id, grounds="we insist", actor="test"
            )
    refused = _decide(app, MARKETING)
    assert not refused.allowed and refused.code == "objection" and "Art. 21(3)" in refused.reason


@pytest.mark.req("OS-2")
def test_a_gpc_signal_denies_sale_and_share_purposes_only(app: FastAPI) -> None:
    _record(app, "cookies.targeting", True)
    _record(app, "cookies.analytics", True)
    assert _decide(app, "cookies.targeting").allowed
    _record(app, cpurposes.SALE_SHARE, False, kind="signal", signal="gpc")
    refused = _decide(app, "cookies.targeting")
    assert not refused.allowed and refused.code == "gpc_opt_out"
    assert _decide(app, "cookies.analytics").allowed


@pytest.mark.req("MN-2")
def test_a_minor_flag_denies_sale_and_share(app: FastAPI) -> None:
    _record(app, "cookies.marketing", True)
    _record(app, cpurposes.MINOR, True, kind="flag")
    assert _decide(app, "cookies.marketing").code == "minor"


def test_a_changed_consent_purpose_makes_its_receipts_stale(app: FastAPI) -> None:
    _record(app, MARKETING, True)
    manifest: Manifest = app.state.services.manifest.manifest
    purposes = dict(manifest.purposes)
    purposes[MARKETING] = purposes[MARKETING].model_copy(update={"description": "Now also by text message."})
    changed = manifest.model_copy(update={"purposes": purposes})
    assert _decide(app, MARKETING, changed).code == "stale_consent"
    _record(app, MARKETING, True, manifest=changed)
    assert _decide(app, MARKETING, changed).allowed


def test_batch_decisions_and_bad_queries(app: FastAPI, client: TestClient) -> None:
    _record(app, MARKETING, True)
    body = {"subjects": [[f"email:{EMAIL}"], ["user_id:someone-else"]], "purposes": [MARKETING, "orders"]}
    answer = client.post("/api/v1/decisions", headers=ADMIN, json=body)
    assert answer.status_code == 200, answer.text
    codes = [[d["code"] for d in row] for row in answer.json()["results"]]
    assert codes == [["consent", "legal_basis"], ["no_consent", "legal_basis"]]
    bad = client.post("/api/v1/decisions", headers=ADMIN, json={**body, "purposes": ["mind_reading"]})
    assert bad.status_code == 422 and bad.json()["detail"]["field"] == "purpose"
    bad = client.post("/api/v1/decisions", headers=ADMIN, json={**body, "subjects": [["nobody"]]})
    assert bad.status_code == 422 and bad.json()["detail"]["field"] == "subjects[0]"
    unknown = client.get("/api/v1/decisions", headers=ADMIN, params={"subject": "user_id:x", "purpose": "x"})
    assert unknown.status_code == 422 and "marketing_communications" in unknown.json()["detail"]["rule"]
    assert (
        client.get("/api/v1/decisions", params={"subject": "user_id:x", "purpose": MARKETING}).status_code
        == 401
    )
    lookup = client.get("/api/v1/consent/lookup", headers=ADMIN, params={"subject": f"email:{EMAIL}"}).json()
    assert {d["purpose"]: d["code"] for d in lookup["decisions"]}[MARKETING] == "consent"
    assert [r["purpose"] for r in lookup["receipts"]] == [MARKETING]


def test_the_subject_of_a_decision_query_never_reaches_the_access_log() -> None:
    line = '127.0.0.1:5 - "GET /api/v1/decisions?subject=user_id%3Au-4242&purpose=orders HTTP/1.1" 200'
    assert "u-4242" not in logfilter.scrub(line) and "purpose=orders" in logfilter.scrub(line)
