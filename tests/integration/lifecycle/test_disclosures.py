"""The disclosures ledger behind the CCPA statements: one recorded share flips them, fails the check."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from privacyops.examples import LANGFUSE_MANIFEST
from privacyops.settings import Settings

from .conftest import Cli

NOT_SHARED = "Nor have we shared it for cross-context behavioural advertising."
SHARED = "We shared personal information for cross-context behavioural advertising in these categories"


@pytest.mark.req("NV-3")
def test_one_recorded_share_flips_the_statement_and_fails_the_check(
    client: TestClient, cli: Cli, settings: Settings, admin_headers: dict[str, str]
) -> None:
    assert NOT_SHARED in client.get("/privacy").text
    clean = cli("check", str(LANGFUSE_MANIFEST), "--db", settings.database_url)
    assert "ledger-" not in clean.output

    recorded = client.post(
        "/api/v1/disclosures",
        headers=admin_headers,
        json={"kind": "share", "recipient": "AdNetwork Inc.", "letters": ["F"], "purpose": "retargeting"},
    )
    assert recorded.status_code == 201, recorded.text
    assert recorded.json()["recorded_by"] == "token:bootstrap-admin"

    page = client.get("/privacy").text
    assert NOT_SHARED not in page and SHARED in page
    listed = client.get("/api/v1/disclosures", headers=admin_headers).json()
    assert [(d["kind"], d["recipient"], d["letters"]) for d in listed] == [("share", "AdNetwork Inc.", ["F"])]

    failed = cli("check", str(LANGFUSE_MANIFEST), "--db", settings.database_url)
    assert failed.exit_code == 1, failed.output
    line = next(x for x in failed.output.splitlines() if "ledger-shared-undisclosed" in x)
    assert f"{LANGFUSE_MANIFEST}:" in line and "AdNetwork Inc." in line
    assert "add F to notice.ccpa_disclosures.shared" in line


BAD = [
    ({"kind": "gift"}, "kind"),
    ({"letters": ["Z"]}, "letters"),
    ({"letters": []}, "letters"),
    ({"recipient": " "}, "recipient"),
    ({"occurred_at": "2999-01-01T00:00:00Z"}, "occurred_at"),
]


def test_a_bad_disclosure_names_its_field_and_is_not_recorded(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    # One store for every case: each set-up of a store costs seconds on PostgreSQL.
    for change, field in BAD:
        body = {"kind": "sale", "recipient": "Broker LLC", "letters": ["A"], **change}
        answer = client.post("/api/v1/disclosures", headers=admin_headers, json=body)
        assert answer.status_code == 422 and answer.json()["detail"]["field"] == field, answer.text
    assert client.get("/api/v1/disclosures", headers=admin_headers).json() == []
