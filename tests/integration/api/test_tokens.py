from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient

from privacyops.audit import chain


def test_admin_issues_lists_and_revokes_tokens(
    app: FastAPI, client: TestClient, admin_headers: dict[str, str]
) -> None:
    body = {"name": "reporting", "role": "viewer"}
    created = client.post("/api/v1/tokens", json=body, headers=admin_headers)
    assert created.status_code == 201
    issued = created.json()
    viewer = {"Authorization": f"Bearer {issued['token']}"}
    assert client.get("/api/v1/whoami", headers=viewer).json() == {"name": "reporting", "role": "viewer"}
    assert client.get("/api/v1/tokens", headers=viewer).status_code == 403

    listed = client.get("/api/v1/tokens", headers=admin_headers).json()
    assert [(t["id"], t["role"], t["revoked_at"]) for t in listed] == [(issued["id"], "viewer", None)]
    assert all("token" not in t for t in listed)

    assert client.delete(f"/api/v1/tokens/{issued['id']}", headers=admin_headers).status_code == 204
    assert client.get("/api/v1/whoami", headers=viewer).status_code == 401
    again = client.delete(f"/api/v1/tokens/{issued['id']}", headers=admin_headers)
    assert again.status_code == 404 and again.json()["detail"]["field"] == "token_id"

    with app.state.services.sessions() as session:
        assert chain.verify(session) == chain.VerifyResult(ok=True, count=2)
    events = client.get(
        f"/api/v1/audit/events?entity=api_token&entity_id={issued['id']}", headers=admin_headers
    ).json()
    assert [e["action"] for e in events] == ["token.issued", "token.revoked"]
    assert events[0]["actor"] == "bootstrap-admin"


def test_bad_role_names_the_field(client: TestClient, admin_headers: dict[str, str]) -> None:
    response = client.post("/api/v1/tokens", json={"name": "x", "role": "root"}, headers=admin_headers)
    assert response.status_code == 422
    assert response.json()["detail"]["field"] == "body.role"
