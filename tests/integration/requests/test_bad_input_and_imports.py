"""Bad input answers 4xx naming the field and the rule; imports keep their original time (INT-2)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from privacyops.requests import report_log, service
from privacyops.store.models.requests import SubjectRequest

from .conftest import Inbox

GOOD = {"type": "access", "identities": {"email": "ada@example.com"}, "regions": ["eu"]}


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"type": "teleport"}, "type", "unknown request type"),
        ({"regions": ["atlantis"]}, "regions[0]", "unknown region"),
        ({"regions": ["us"]}, "regions[0]", "ambiguous"),
        ({"identities": {"email": "not-an-address"}}, "identities.email", "not an email address"),
        ({"identities": {"phone": "12"}}, "identities.phone", "not a phone number"),
        ({"identities": {"shoe_size": "42"}}, "identities.shoe_size", "unknown identity kind"),
        ({"identities": {}}, "identities", "at least one identity"),
    ],
)
def test_bad_intake_names_field_and_rule(
    client: TestClient, admin: dict[str, str], change: dict[str, Any], field: str, words: str
) -> None:
    answer = client.post("/api/v1/requests", json={**GOOD, **change})
    assert answer.status_code == 422, answer.text
    assert answer.json()["detail"]["field"] == field
    assert words in answer.json()["detail"]["rule"]
    assert client.get("/api/v1/requests", headers=admin).json() == []


@pytest.mark.req("INT-2", "DL-1")
def test_ticket_keeps_its_original_time_and_dl1_extension_is_refused_after_the_first_month(
    client: TestClient, admin: dict[str, str]
) -> None:
    ticket = {
        **GOOD,
        "received_at": "2025-01-31T09:00:00+01:00",
        "channel": "ticket",
        "external_ref": "SUP-1",
    }
    imported = client.post("/api/v1/requests/import/ticket", json=ticket, headers=admin)
    assert imported.status_code == 200, imported.text
    request_id = imported.json()["id"]
    detail = client.get(f"/api/v1/requests/{request_id}", headers=admin).json()
    assert detail["received_at"].startswith("2025-01-31T08:00:00")
    assert detail["response_due"] == "2025-02-28"
    assert detail["channel"] == "ticket"
    again = client.post("/api/v1/requests/import/ticket", json=ticket, headers=admin)
    assert again.json() == {"id": request_id, "created": False, "state": detail["state"]}
    late = client.post(f"/api/v1/requests/{request_id}/extend", json={"reason": "archives"}, headers=admin)
    assert late.status_code == 422
    assert late.json()["detail"]["field"] == "at"
    assert "2025-02-28" in late.json()["detail"]["rule"]
    after = client.get(f"/api/v1/requests/{request_id}", headers=admin).json()
    assert after["response_due"] == "2025-02-28" and after["extensions"] == []


def test_naive_ticket_time_is_refused(client: TestClient, admin: dict[str, str]) -> None:
    ticket = {**GOOD, "received_at": "2025-01-31T09:00:00"}
    answer = client.post("/api/v1/requests/import/ticket", json=ticket, headers=admin)
    assert answer.status_code == 422
    assert answer.json()["detail"]["field"] == "received_at"


@pytest.mark.req("DL-1")
def test_extension_within_the_first_period_is_recorded_and_sent(
    client: TestClient, admin: dict[str, str], smtp: Inbox, send_mail: Any
) -> None:
    received = (datetime.now(UTC) - timedelta(days=2)).isoformat()
    ticket = {**GOOD, "received_at": received, "verified": True}
    request_id = client.post("/api/v1/requests/import/ticket", json=ticket, headers=admin).json()["id"]
    before = client.get(f"/api/v1/requests/{request_id}", headers=admin).json()["response_due"]
    missing = client.post(f"/api/v1/requests/{request_id}/extend", json={"reason": " "}, headers=admin)
    assert missing.status_code == 422 and missing.json()["detail"]["field"] == "reason"
    extended = client.post(
        f"/api/v1/requests/{request_id}/extend", json={"reason": "three archives to restore"}, headers=admin
    )
    assert extended.status_code == 200, extended.text
    assert extended.json()["response_due"] > before
    assert extended.json()["extensions"][0]["reason"] == "three archives to restore"
    twice = client.post(f"/api/v1/requests/{request_id}/extend", json={"reason": "more"}, headers=admin)
    assert twice.status_code == 422 and twice.json()["detail"]["field"] == "regime"
    send_mail()
    text = smtp.of_kind("more time")[0].get_body(preferencelist=("plain",)).get_content()
    assert "three archives to restore" in text and extended.json()["response_due"] in text


EML = b"""From: Ada Example <ada@example.com>
To: privacy@langfuse.example
Subject: Please delete my data
Date: Mon, 03 Mar 2025 10:15:00 +0000
Message-ID: <m1@mail.example.com>
Content-Type: text/plain; charset=utf-8

Hello, I want you to erase everything you hold about me.
"""


@pytest.mark.req("INT-1", "INT-2")
def test_eml_import_and_webhook(client: TestClient, admin: dict[str, str]) -> None:
    headers = {**admin, "Content-Type": "message/rfc822"}
    imported = client.post("/api/v1/requests/import/eml", content=EML, headers=headers)
    assert imported.status_code == 200, imported.text
    detail = client.get(f"/api/v1/requests/{imported.json()['id']}", headers=admin).json()
    assert (detail["type"], detail["channel"]) == ("erasure", "email")
    assert detail["received_at"].startswith("2025-03-03T10:15:00")
    assert detail["external_ref"] == "<m1@mail.example.com>"
    again = client.post("/api/v1/requests/import/eml", content=EML, headers=headers)
    assert again.json()["created"] is False
    hook = {"sender": "sam@example.org", "subject": "Hi", "text": "What data do you hold about me?"}
    answer = client.post("/api/v1/requests/import/inbound-email", json=hook, headers=admin)
    assert answer.status_code == 200, answer.text
    unclear = {"sender": "sam@example.org", "subject": "Hi", "text": "Nice product"}
    refused = client.post("/api/v1/requests/import/inbound-email", json=unclear, headers=admin)
    assert refused.status_code == 422 and refused.json()["detail"]["field"] == "type"
    assert client.post("/api/v1/requests/import/eml", content=EML).status_code == 401


@pytest.mark.req("RK-1")
def test_request_log_csv_has_the_six_fields(client: TestClient, admin: dict[str, str]) -> None:
    request_id = client.post("/api/v1/requests", json=GOOD).json()["id"]
    client.post(
        f"/api/v1/requests/{request_id}/deny", json={"code": "no_data", "reason": "none"}, headers=admin
    )
    csv_text = client.get("/api/v1/requests/log", params={"since": "2020-01-01"}, headers=admin).text
    lines = csv_text.strip().splitlines()
    assert lines[0] == ",".join(report_log.COLUMNS)
    assert len(report_log.COLUMNS) == 6
    assert lines[1].split(",")[1:] == ["access", "api", lines[1].split(",")[0], "denied", "no_data: none"]


@pytest.mark.req("RK-1")
def test_purge_keeps_records_younger_than_24_months(
    app: Any, client: TestClient, admin: dict[str, str]
) -> None:
    ids = []
    for years, email in ((3, "old@example.com"), (1, "recent@example.com")):
        received = (datetime.now(UTC) - timedelta(days=365 * years)).isoformat()
        body = {**GOOD, "identities": {"email": email}, "received_at": received}
        ids.append(client.post("/api/v1/requests/import/ticket", json=body, headers=admin).json()["id"])
        client.post(f"/api/v1/requests/{ids[-1]}/cancel", json={"reason": "test"}, headers=admin)
    with app.state.services.sessions.begin() as session:
        assert report_log.purge_old_records(session, datetime.now(UTC)) == 1
    with app.state.services.sessions() as session:
        assert session.get(SubjectRequest, ids[0]) is None
        assert session.get(SubjectRequest, ids[1]) is not None
        assert service.records.get_request(session, ids[1]).state == "cancelled"
