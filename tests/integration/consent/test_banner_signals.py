"""The banner's server side: the script, recording a choice, GPC and DNT headers, the sample page."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient

from privacyops.consent import decide, subjects
from privacyops.requests import context
from privacyops.requests import tokens as rtokens
from privacyops.store.models.consent import ConsentReceipt
from tests.integration.consent.conftest import SECRET

VISITOR = "5d1c2b3a-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
CHOICE = {
    "visitor": VISITOR,
    "notice_version": "2026-03-26",
    "choices": {"analytics": True, "marketing": True, "targeting": True},
}


def _receipts(app: FastAPI) -> list[ConsentReceipt]:
    with app.state.services.sessions() as session:
        return list(session.scalars(sa.select(ConsentReceipt).order_by(ConsentReceipt.id)))


def _decision(app: FastAPI, purpose: str) -> decide.Decision:
    subject = subjects.parse(SECRET.encode(), [f"visitor:{VISITOR}"])
    with app.state.services.sessions() as session:
        return decide.can_process(session, subject, purpose, manifest=app.state.services.manifest.manifest)


def test_the_banner_script_is_small_and_configured_from_the_manifest(client: TestClient) -> None:
    answer = client.get("/consent/banner.js")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/javascript")
    assert len(answer.content) < 20_000
    for category in ("analytics", "marketing", "targeting"):
        assert f'"id":"{category}"' in answer.text
    assert '"id":"necessary"' not in answer.text and "hubspotutk" in answer.text
    assert "import " not in answer.text and "require(" not in answer.text


@pytest.mark.req("OS-1")
def test_only_sec_gpc_1_records_an_opt_out(app: FastAPI, client: TestClient) -> None:
    signal_only = {**CHOICE, "choices": {}}
    for value in ("0", None):
        headers = {"Sec-GPC": value} if value else {}
        answer = client.post("/consent/choices", json=signal_only, headers=headers)
        assert answer.status_code == 200 and answer.json()["gpc_honoured"] is False
    assert _receipts(app) == []
    bad = client.post("/consent/choices", json=CHOICE, headers={"Sec-GPC": "true"})
    assert bad.status_code == 400 and bad.json()["detail"]["field"] == "Sec-GPC"
    assert _receipts(app) == []
    answer = client.post("/consent/choices", json=CHOICE, headers={"Sec-GPC": "1"})
    assert answer.status_code == 200, answer.text
    assert answer.json()["gpc_honoured"] is True
    assert answer.json()["choices"] == {"analytics": True, "marketing": False, "targeting": False}
    signal = [r for r in _receipts(app) if r.kind == "signal"]
    assert [(r.purpose, r.granted, r.signal) for r in signal] == [("sale_share", False, "gpc")]
    assert _decision(app, "cookies.targeting").code == "gpc_opt_out"
    assert _decision(app, "cookies.analytics").allowed
    again = client.post("/consent/choices", json=CHOICE, headers={"Sec-GPC": "1"})
    assert again.json()["receipts"] == []  # the same choice again writes nothing new


@pytest.mark.req("OS-5")
def test_dnt_alone_records_nothing_and_is_not_gpc(app: FastAPI, client: TestClient) -> None:
    answer = client.post("/consent/choices", json={**CHOICE, "choices": {}}, headers={"DNT": "1"})
    assert answer.status_code == 200 and answer.json() == {
        "choices": {},
        "gpc_honoured": False,
        "dnt_honoured": False,
        "receipts": [],
    }
    assert _receipts(app) == []
    page = client.get("/consent/example", headers={"DNT": "1"})
    assert "Global Privacy Control off" in page.text and "not honoured" in page.text


@pytest.mark.req("OS-3")
def test_a_page_fetched_with_sec_gpc_shows_the_signal_was_honoured(client: TestClient) -> None:
    plain = client.get("/consent/example")
    assert plain.status_code == 200 and "detected and honoured" not in plain.text
    assert 'type="text/plain" data-category="marketing"' in plain.text
    honoured = client.get("/consent/example", headers={"Sec-GPC": "1"})
    assert "Global Privacy Control signal detected and honoured" in honoured.text


@pytest.mark.req("CN-5")
def test_bad_banner_choices_are_refused_and_record_nothing(app: FastAPI, client: TestClient) -> None:
    cases = [
        ({**CHOICE, "choices": {"necessary": False}}, "choices.necessary"),
        ({**CHOICE, "choices": {"mind_reading": True}}, "choices.mind_reading"),
        ({**CHOICE, "notice_version": None}, "notice_version"),
        ({**CHOICE, "visitor": "not a visitor id!"}, "visitor"),
    ]
    for body, field in cases:
        answer = client.post("/consent/choices", json=body)
        assert answer.status_code == 422, answer.text
        assert answer.json()["detail"]["field"] == field
    assert _receipts(app) == []
    rejected = client.post("/consent/choices", json={**CHOICE, "choices": {"analytics": False}})
    assert rejected.status_code == 200 and len(rejected.json()["receipts"]) == 1
    assert _decision(app, "cookies.analytics").code == "withdrawn"


@pytest.mark.req("OS-2")
def test_gpc_reaches_the_signed_in_account_named_by_the_host_page(app: FastAPI, client: TestClient) -> None:
    key = context.host_token_key(app.state.services.settings)
    token = rtokens.sign_host_token(key, user_id="u-77", email="u77@example.com", issued_at=datetime.now(UTC))
    forged = client.post(
        "/consent/choices", json={**CHOICE, "host_token": token[:-3] + "abc"}, headers={"Sec-GPC": "1"}
    )
    assert forged.status_code == 422 and forged.json()["detail"]["field"] == "host_token"
    assert _receipts(app) == []
    answer = client.post("/consent/choices", json={**CHOICE, "host_token": token}, headers={"Sec-GPC": "1"})
    assert answer.status_code == 200, answer.text
    account = subjects.parse(SECRET.encode(), ["user_id:u-77"])
    with app.state.services.sessions() as session:
        found = decide.can_process(
            session, account, "cookies.targeting", manifest=app.state.services.manifest.manifest
        )
    assert found.code == "gpc_opt_out"
