from __future__ import annotations

import re
from collections.abc import Callable
from html import escape as html_escape
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from fastapi import FastAPI
from fastapi.testclient import TestClient

from privacyops.api.app import create_app
from privacyops.examples import LANGFUSE_MANIFEST
from privacyops.settings import Settings
from privacyops.web import manifest_view

DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _expected_date(app: FastAPI) -> str:
    # The example manifest says the notice was last updated on 2026-03-26.
    declared = manifest_view.notice_date(app.state.services.manifest.manifest).isoformat()
    assert declared == "2026-03-26"
    return declared


def test_healthz_reports_every_part(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"] == {"database": "ok", "manifest": "ok", "queue": "ok", "restore": "ok"}


def test_healthz_fails_when_manifest_is_missing(settings: Settings, tmp_path: Path) -> None:
    broken = settings.model_copy(update={"manifest": tmp_path / "absent.yml"})
    with TestClient(create_app(broken)) as client:
        response = client.get("/healthz")
        notice = client.get("/privacy")
    assert response.status_code == 503
    assert response.json()["checks"]["manifest"] == "error"
    assert notice.status_code == 503 and "absent.yml" in notice.json()["detail"]


def test_broken_manifest_is_reported_with_its_location(settings: Settings, tmp_path: Path) -> None:
    broken_file = tmp_path / "privacy.yml"
    broken_file.write_text("controller: [unclosed\n")
    broken = settings.model_copy(update={"manifest": broken_file})
    with TestClient(create_app(broken)) as client:
        detail = client.get("/.well-known/gpc.json").json()["detail"]
        health = client.get("/healthz").json()
    assert f"{broken_file}:" in detail
    assert health["checks"]["manifest"] == "error"


def test_healthz_fails_when_database_is_unreachable(settings: Settings) -> None:
    # Nothing listens on port 1: the store cannot be reached, and only that check fails.
    unreachable = settings.model_copy(
        update={"database_url": "postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=2"}
    )
    with TestClient(create_app(unreachable)) as client:
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"] == {"database": "error", "manifest": "ok", "queue": "ok"}
    assert "nobody" not in response.text


def test_healthz_fails_when_the_schema_is_behind(
    settings: Settings, make_db_url: Callable[[str], str]
) -> None:
    empty = settings.model_copy(update={"database_url": make_db_url("unmigrated")})
    with TestClient(create_app(empty)) as client:
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["database"].startswith("outdated schema")


def test_privacy_page_is_html_in_the_layout(client: TestClient, app: FastAPI) -> None:
    response = client.get("/privacy")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    html = response.text
    assert "<!doctype html>" in html.lower()
    assert "/static/privacyops.css" in html
    assert "Langfuse GmbH" in html
    manifest = app.state.services.manifest.manifest
    assert 'id="notice-title"' in html
    assert all(html_escape(sub.name) in html for sub in manifest.subprocessors)
    assert client.get("/privacy").text == html  # served from the cached rendering
    assert _expected_date(app) in html
    css = client.get("/static/privacyops.css")
    assert css.status_code == 200 and "--accent" in css.text


@pytest.mark.req("OS-4")
def test_gpc_declaration_follows_the_spec(client: TestClient, app: FastAPI) -> None:
    # The Langfuse manifest declares signals.gpc.honoured: true and notice.last_updated: 2026-03-26.
    response = client.get("/.well-known/gpc.json")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert set(body) == {"gpc", "lastUpdate"}
    assert body["gpc"] is True
    assert DATE.match(body["lastUpdate"]) and body["lastUpdate"] == _expected_date(app)


def _served_with(settings: Settings, tmp_path: Path,
                 edit: Callable[[dict[str, Any]], None]) -> httpx.Response:
    data = yaml.safe_load(LANGFUSE_MANIFEST.read_text(encoding="utf-8"))
    edit(data)
    path = tmp_path / "edited.yml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    with TestClient(create_app(settings.model_copy(update={"manifest": path}))) as client:
        return client.get("/.well-known/gpc.json")


@pytest.mark.req("OS-4")
def test_gpc_declaration_says_false_when_the_manifest_declares_gpc_not_honoured(
    settings: Settings, tmp_path: Path
) -> None:
    def not_honoured(data: dict[str, Any]) -> None:
        data["signals"]["gpc"] = {"honoured": False}
        data["notice"]["last_updated"] = "2026-01-15"

    response = _served_with(settings, tmp_path, not_honoured)
    assert response.status_code == 200
    assert response.json() == {"gpc": False, "lastUpdate": "2026-01-15"}


@pytest.mark.req("OS-4")
def test_gpc_declaration_is_absent_when_the_manifest_declares_no_stance(
    settings: Settings, tmp_path: Path
) -> None:
    # Without a declared stance the honest answer is the spec's "support unknown": no file, not a default.
    response = _served_with(settings, tmp_path, lambda data: data["signals"].pop("gpc"))
    assert response.status_code == 404
    assert "signals" in response.text and "gpc" not in response.json()


@pytest.mark.req("OS-4")
def test_gpc_declaration_leaves_out_a_date_the_manifest_does_not_state(
    settings: Settings, tmp_path: Path
) -> None:
    def undated(data: dict[str, Any]) -> None:
        data["notice"].pop("last_updated")
        data["notice"].pop("effective_date")

    response = _served_with(settings, tmp_path, undated)
    assert response.status_code == 200
    assert response.json() == {"gpc": True}


def test_openapi_and_docs_live_under_api_v1(client: TestClient) -> None:
    document = client.get("/api/v1/openapi.json")
    assert document.status_code == 200
    paths = document.json()["paths"]
    assert {"/healthz", "/api/v1/manifest", "/api/v1/audit/verify"} <= set(paths)
    assert "HTTPBearer" in document.json()["components"]["securitySchemes"]
    docs = client.get("/api/v1/docs")
    assert docs.status_code == 200 and "swagger" in docs.text.lower()
    assert client.get("/openapi.json").status_code == 404


@pytest.mark.req("OS-4")
def test_real_uvicorn_serves_the_public_pages(live_server: str, app: FastAPI) -> None:
    with httpx.Client(base_url=live_server, timeout=10) as http:
        health = http.get("/healthz")
        page = http.get("/privacy")
        gpc = http.get("/.well-known/gpc.json")
        verify = http.get("/api/v1/audit/verify")
    assert health.status_code == 200 and health.json()["status"] == "ok"
    assert page.status_code == 200 and "<html" in page.text
    assert gpc.json() == {"gpc": True, "lastUpdate": _expected_date(app)}
    assert verify.status_code == 401
