"""The API takes the period of an access request where requests are filed and keeps it (AC-5)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

GOOD = {"type": "access", "identities": {"email": "ada@example.com"}, "regions": ["us-ca"]}


@pytest.mark.req("AC-5")
def test_the_lookback_asked_for_is_stored_on_the_request(client: TestClient, admin: dict[str, str]) -> None:
    filed = client.post("/api/v1/requests", json={**GOOD, "lookback": "Extended"})
    assert filed.status_code == 201, filed.text
    detail = client.get(f"/api/v1/requests/{filed.json()['id']}", headers=admin).json()
    assert detail["flags"]["lookback"] == "extended"
    dated = client.post("/api/v1/requests", json={**GOOD, "identities": {"email": "bo@example.com"},
                                                  "lookback": "2023-01-01"})
    assert client.get(f"/api/v1/requests/{dated.json()['id']}", headers=admin).json()["flags"]["lookback"] \
        == "2023-01-01"


@pytest.mark.parametrize(
    ("change", "words"),
    [({"lookback": "forever"}, "use all, 12m, extended or a date"),
     ({"type": "erasure", "lookback": "all"}, "lookback applies to access and portability requests")],
)
def test_a_bad_lookback_names_the_field(client: TestClient, admin: dict[str, str], change: dict[str, str],
                                        words: str) -> None:
    answer = client.post("/api/v1/requests", json={**GOOD, **change})
    assert answer.status_code == 422, answer.text
    assert answer.json()["detail"]["field"] == "lookback" and words in answer.json()["detail"]["rule"]
    assert client.get("/api/v1/requests", headers=admin).json() == []
