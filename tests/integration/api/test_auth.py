from __future__ import annotations

import os
import re
import stat
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient

from privacyops.api import deps
from privacyops.api.app import create_app
from privacyops.audit import chain
from privacyops.console import framework
from privacyops.settings import Settings
from privacyops.store import tokens

PATH_PARAM = re.compile(r"{([^}:]+)(:[^}]+)?}")


def _concrete(path: str) -> str:
    return PATH_PARAM.sub("1", path)


def _routes(app: FastAPI) -> list[deps.RouteInfo]:
    return deps.api_routes(app)


def test_every_non_public_route_needs_a_token(app: FastAPI, client: TestClient) -> None:
    checked = 0
    for route in _routes(app):
        if deps.route_is_public(route) or framework.route_needs_session(route):
            continue  # console pages authorise by session: see test_authorisation_matrix.py
        assert deps.route_needs_token(route), f"{route.path} is neither public nor authorised"
        for method in route.methods:
            path = _concrete(route.path)
            bare = client.request(method, path)
            wrong = client.request(method, path, headers={"Authorization": "Bearer not-a-token"})
            assert bare.status_code == 401, f"{method} {route.path} answered {bare.status_code}"
            assert bare.headers.get("www-authenticate") == "Bearer"
            assert wrong.status_code == 401, f"{method} {route.path} accepted a wrong token"
            checked += 1
    assert checked >= 4


def test_public_routes_answer_without_a_token(app: FastAPI, client: TestClient) -> None:
    public = [route for route in _routes(app) if deps.route_is_public(route)]
    assert {"/healthz", "/privacy", "/.well-known/gpc.json"} <= {route.path for route in public}
    for route in public:
        if "GET" in route.methods and "{" not in route.path:
            assert client.get(route.path).status_code != 401


def _token(app: FastAPI, role: str) -> dict[str, str]:
    with app.state.services.sessions.begin() as session:
        _row, token = tokens.issue_token(session, name=f"{role}-token", role=role)
    return {"Authorization": f"Bearer {token}"}


@pytest.mark.parametrize(
    ("role", "manifest", "events", "verify"),
    [("viewer", 200, 403, 403), ("reviewer", 200, 200, 403), ("admin", 200, 200, 200)],
)
def test_roles_are_ordered(
    app: FastAPI, client: TestClient, role: str, manifest: int, events: int, verify: int
) -> None:
    headers = _token(app, role)
    assert client.get("/api/v1/whoami", headers=headers).json() == {"name": f"{role}-token", "role": role}
    assert client.get("/api/v1/manifest", headers=headers).status_code == manifest
    events_url = "/api/v1/audit/events?entity=request&entity_id=1"
    assert client.get(events_url, headers=headers).status_code == events
    assert client.get("/api/v1/audit/verify", headers=headers).status_code == verify


def test_revoked_token_is_refused(app: FastAPI, client: TestClient) -> None:
    with app.state.services.sessions.begin() as session:
        row, token = tokens.issue_token(session, name="short-lived", role="admin")
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/whoami", headers=headers).status_code == 200
    with app.state.services.sessions.begin() as session:
        assert tokens.revoke_token(session, row.id)
    assert client.get("/api/v1/whoami", headers=headers).status_code == 401


def test_tokens_are_hashed_at_rest(app: FastAPI) -> None:
    with app.state.services.sessions.begin() as session:
        _row, token = tokens.issue_token(session, name="x", role="viewer")
    with app.state.services.engine.connect() as conn:
        stored = conn.execute(sa.text("SELECT token_sha256 FROM api_tokens")).scalars().all()
    assert token not in stored and tokens.hash_token(token) in stored


def test_unknown_role_is_refused(app: FastAPI) -> None:
    with app.state.services.sessions() as session, pytest.raises(tokens.UnknownRole, match="superuser"):
        tokens.issue_token(session, name="x", role="superuser")


def test_manifest_summary_for_viewers(client: TestClient, admin_headers: dict[str, str]) -> None:
    body = client.get("/api/v1/manifest", headers=admin_headers).json()
    assert len(body["sha256"]) == 64
    assert body["controller"] == "Langfuse GmbH"
    assert body["notice_last_updated"] == "2026-03-26"
    assert body["purposes"] > 0 and body["subprocessors"] > 0 and "eea" in body["regions"]


@pytest.mark.req("RK-4")
def test_audit_verify_names_the_tampered_row(
    app: FastAPI, client: TestClient, admin_headers: dict[str, str]
) -> None:
    with app.state.services.sessions.begin() as session:
        for index in range(3):
            chain.append(session, actor="test", action="step", entity="request", entity_id="7",
                         data={"index": index})
    assert client.get("/api/v1/audit/verify", headers=admin_headers).json() == {
        "ok": True, "count": 3, "first_bad_id": None, "reason": None,
    }
    events = client.get("/api/v1/audit/events?entity=request&entity_id=7", headers=admin_headers).json()
    assert [event["data"]["index"] for event in events] == [0, 1, 2]
    with app.state.services.engine.begin() as conn:
        conn.execute(sa.text("UPDATE audit_events SET action = 'other' WHERE id = 2"))
    body = client.get("/api/v1/audit/verify", headers=admin_headers).json()
    assert body["ok"] is False and body["first_bad_id"] == 2


def test_bootstrap_admin_token_is_generated_once(settings: Settings, tmp_path: Path) -> None:
    home = tmp_path / "fresh-home"
    fresh = settings.model_copy(update={"admin_token": None, "home": home})
    first = tokens.ensure_admin_token(fresh)
    again = tokens.ensure_admin_token(fresh)
    assert first.created and not again.created and first.token == again.token
    assert first.path is not None
    assert stat.S_IMODE(os.stat(first.path).st_mode) == 0o600
    with TestClient(create_app(fresh)) as client:
        headers = {"Authorization": f"Bearer {first.token}"}
        assert client.get("/api/v1/whoami", headers=headers).json()["role"] == "admin"
