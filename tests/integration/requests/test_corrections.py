"""A rectification's correct values on every channel (RR-1, INT-5): checked, sealed, amended by a reviewer.

The API, the privacy-center form and ``privacyops request submit --set`` take the values; fields the
manifest does not declare as the person's own answer 422 naming the field; the values are sealed in
the store; a reviewer reads and amends them until the work starts, never through the field the
request was verified by.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from privacyops.examples import LANGFUSE_MANIFEST
from privacyops.settings import Settings
from privacyops.store import sealing
from tests import support

from .conftest import SECRET, Inbox

EMAIL = "grace@example.com"
RECTIFY = {"type": "rectification", "identities": {"email": EMAIL}, "regions": ["eu"]}


def raw_corrections(db_url: str) -> list[str]:
    engine = sa.create_engine(db_url)
    try:
        with engine.connect() as conn:
            query = sa.text("SELECT corrections FROM subject_requests WHERE corrections IS NOT NULL")
            return [str(value) for value in conn.execute(query).scalars()]
    finally:
        engine.dispose()


@pytest.mark.req("RR-1")
def test_api_keeps_corrections_sealed_and_shows_them_to_a_reviewer(
    client: TestClient, admin: dict[str, str], settings: Settings
) -> None:
    filed = client.post("/api/v1/requests", json={**RECTIFY, "corrections": {"Users.Name": " Grace Hopper "}})
    assert filed.status_code == 201, filed.text
    detail = client.get(f"/api/v1/requests/{filed.json()['id']}", headers=admin).json()
    assert detail["corrections"] == {"users.name": "Grace Hopper"}
    stored = raw_corrections(settings.database_url)
    assert len(stored) == 1 and sealing.is_sealed(stored[0]) and "Grace" not in stored[0]


@pytest.mark.req("RR-1")
@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**RECTIFY, "corrections": {"favourite_colour": "blue"}}, "corrections.favourite_colour"),
        ({**RECTIFY, "corrections": {"password_hash": "x"}}, "corrections.password_hash"),
        ({**RECTIFY, "corrections": {"name": "A", "user.name": "B"}}, "corrections.user.name"),
        ({**RECTIFY, "corrections": {"name": "  "}}, "corrections.name"),
        ({**RECTIFY, "type": "access", "corrections": {"name": "A"}}, "corrections"),
    ],
)
def test_api_refuses_corrections_naming_the_field(client: TestClient, body: dict[str, Any],
                                                  field: str) -> None:
    answer = client.post("/api/v1/requests", json=body)
    assert answer.status_code == 422, answer.text
    assert answer.json()["detail"]["field"] == field


@pytest.mark.req("INT-5")
def test_a_corrected_email_cannot_be_verified_by_an_email_code(client: TestClient) -> None:
    # `billing_email` holds the category of `email`: correcting it corrects the address the code goes to.
    body = {**RECTIFY, "corrections": {"billing_email": "g@example.org"}}
    answer = client.post("/api/v1/requests", json=body)
    assert answer.status_code == 422, answer.text
    assert answer.json()["detail"]["field"] == "verified_via"


@pytest.mark.req("RR-1", "INT-5")
def test_reviewer_amends_until_the_work_starts_but_not_through_the_verified_channel(
    client: TestClient, admin: dict[str, str], smtp: Inbox, send_mail: Any
) -> None:
    request_id = client.post("/api/v1/requests", json={**RECTIFY, "corrections": {"name": "G"}}).json()["id"]
    send_mail()
    verified = client.post(f"/api/v1/requests/{request_id}/verify", json={"code": smtp.code()})
    assert verified.status_code == 200 and verified.json()["state"] == "verified", verified.text
    through_email = client.post(f"/api/v1/requests/{request_id}/approve", headers=admin,
                                json={"corrections": {"email": "grace@example.org"}})
    assert through_email.status_code == 422 and through_email.json()["detail"]["field"] == "verified_via"
    amended = client.post(f"/api/v1/requests/{request_id}/approve", headers=admin,
                          json={"corrections": {"name": "Grace Brewster Hopper"}})
    assert amended.status_code == 200, amended.text
    assert amended.json()["corrections"] == {"name": "Grace Brewster Hopper"}
    assert amended.json()["state"] == "in_progress"
    again = client.post(f"/api/v1/requests/{request_id}/approve", headers=admin,
                        json={"corrections": {"name": "Someone Else"}})
    assert again.status_code == 409 and again.json()["detail"]["field"] == "corrections"
    events = client.get("/api/v1/audit/events", headers=admin,
                        params={"entity": "subject_request", "entity_id": request_id}).json()
    amended_events = [e for e in events if e["action"] == "request.corrections_amended"]
    assert [e["data"] for e in amended_events] == [{"fields": ["name"]}]
    assert "Grace Brewster" not in json.dumps(events)


@pytest.mark.req("RR-1")
def test_form_offers_the_persons_own_fields_and_files_the_correction(
    client: TestClient, admin: dict[str, str]
) -> None:
    page = client.get("/privacy/request").text
    assert 'id="correct_field"' in page and '<option value="name"' in page and 'value="phone"' in page
    assert 'value="password_hash"' not in page and 'value="id"' not in page
    form = {"type": "rectification", "email": EMAIL, "region": "eu", "correct_field": "phone",
            "correct_value": "+44 20 7946 0123"}
    sent = client.post("/privacy/request", data=form, follow_redirects=False)
    assert sent.status_code == 303, sent.text
    request_id = sent.headers["location"].rstrip("/").rsplit("/", 1)[1]
    detail = client.get(f"/api/v1/requests/{request_id}", headers=admin).json()
    assert detail["corrections"] == {"phone": "+44 20 7946 0123"}
    refused = client.post("/privacy/request", data={**form, "email": "other@example.com",
                                                     "correct_field": "email", "correct_value": "x@y.org"})
    assert refused.status_code == 422 and 'data-field="verified_via"' in refused.text


@pytest.mark.req("RR-1")
def test_cli_submit_takes_set_and_names_an_unknown_field(settings: Settings, db_url: str,
                                                         tmp_path: Path) -> None:
    # `settings` brings the store up to the newest schema.
    env = support.clean_env(PRIVACYOPS_DATABASE_URL=db_url, PRIVACYOPS_HOME=str(tmp_path / "home"),
                            PRIVACYOPS_MANIFEST=str(LANGFUSE_MANIFEST), PRIVACYOPS_SECRET_KEY=SECRET)

    def submit(*extra: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "privacyops", "request", "submit", "--type",
                               "rectification", "--identity", f"email={EMAIL}", "--verified", "--json",
                               *extra], env=env, capture_output=True, text=True, timeout=120)

    unknown = submit("--set", "shoe_size=42")
    assert unknown.returncode == 1 and "corrections.shoe_size" in unknown.stderr
    done = submit("--set", "name=Grace Hopper", "--set", "country=US")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["corrections"] == {"name": "Grace Hopper", "country": "US"}
    assert all(sealing.is_sealed(value) for value in raw_corrections(db_url))
