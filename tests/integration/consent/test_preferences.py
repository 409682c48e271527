"""The preference center: opened by a signed link, one click to withdraw or give, history shown (CN-2)."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from tests.integration.consent.conftest import ADMIN

EMAIL = "prefs@example.com"
MARKETING = "marketing_communications"


def _state(page: str, purpose: str) -> str:
    found = re.search(rf'data-purpose="{purpose}">.*?data-state="(\w+)"', page, re.S)
    assert found, page[:2000]
    return found.group(1)


@pytest.mark.req("CN-2")
def test_withdraw_is_one_click_like_grant_and_keeps_the_account(client: TestClient) -> None:
    link = client.post(
        "/api/v1/consent/preference-links", headers=ADMIN, json={"subject": [f"email:{EMAIL}"]}
    )
    assert link.status_code == 201, link.text
    path = "/" + link.json()["url"].split("/", 3)[3]
    page = client.get(path)
    assert page.status_code == 200 and _state(page.text, MARKETING) == "no_consent"
    assert "cookies.analytics" in page.text  # cookie categories are consent purposes too
    given = client.post(path, data={"purpose": MARKETING, "granted": "yes"}, follow_redirects=True)
    assert given.status_code == 200 and _state(given.text, MARKETING) == "consent"
    assert 'data-action="withdraw"' in given.text
    withdrawn = client.post(path, data={"purpose": MARKETING, "granted": "no"}, follow_redirects=True)
    assert _state(withdrawn.text, MARKETING) == "withdrawn"
    assert withdrawn.text.count("preference_center") == 2  # both in the history
    decision = client.get(
        "/api/v1/decisions", headers=ADMIN, params={"subject": f"email:{EMAIL}", "purpose": MARKETING}
    ).json()
    assert decision["code"] == "withdrawn"
    assert client.get(
        "/api/v1/decisions",
        headers=ADMIN,
        params={"subject": f"email:{EMAIL}", "purpose": "account_management"},
    ).json()["allowed"]
    refused = client.post(path, data={"purpose": "orders", "granted": "no"})
    assert refused.status_code == 422 and "does not rest on consent" in refused.text
    unknown = client.post(path, data={"purpose": "mind_reading", "granted": "no"})
    assert unknown.status_code == 422
    assert client.get(path[:-3] + "xyz").status_code == 404


def test_a_verified_request_page_links_to_the_preference_center(client: TestClient) -> None:
    filed = client.post(
        "/api/v1/requests",
        json={"type": "withdraw_consent", "identities": {"email": EMAIL}, "regions": ["eu"]},
    )
    assert filed.status_code == 201, filed.text
    page = client.get(f"/privacy/requests/{filed.json()['id']}")
    found = re.search(r'id="preferences" href="([^"]+)"', page.text)
    assert found, page.text
    assert client.get(found.group(1)).status_code == 200
