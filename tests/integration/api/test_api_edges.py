"""The service's edges: body size cap, one error shape, documented errors, the home page, the notice links."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from urllib.parse import urlsplit

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from privacyops.api.app import create_app
from privacyops.examples import LANGFUSE_MANIFEST
from privacyops.manifest import load as manifest_load
from privacyops.notice import render
from privacyops.settings import Settings
from tests.integration.conftest import serving

SMALL_CAP = 4096


@pytest.fixture
def capped(settings: Settings) -> Iterator[str]:
    """A real uvicorn serving the app with a 4 KiB cap (64 KiB for the bulk endpoints)."""
    app = create_app(settings.model_copy(update={"max_body_bytes": SMALL_CAP,
                                                 "max_bulk_body_bytes": 16 * SMALL_CAP}))
    with serving(app) as url:
        yield url


def _assert_error_shape(body: dict[str, object]) -> dict[str, object]:
    detail = body["detail"]
    assert isinstance(detail, dict), body
    assert isinstance(detail["field"], str) and detail["field"]
    assert isinstance(detail["rule"], str) and detail["rule"]
    return detail


def test_a_declared_length_over_the_cap_is_refused_before_the_body_is_read(capped: str) -> None:
    # Send only the headers: the answer must come although the 10 MB body never arrives.
    host, port = urlsplit(capped).hostname, urlsplit(capped).port
    assert host and port
    with socket.create_connection((host, port), timeout=10) as conn:
        conn.sendall(
            b"POST /api/v1/requests HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            b"Content-Length: 10485760\r\n\r\n"
        )
        received = b""
        while chunk := conn.recv(65536):  # the server closes the connection after refusing
            received += chunk
        answer = received.decode()
    head, _, body = answer.partition("\r\n\r\n")
    assert head.startswith("HTTP/1.1 413")
    detail = _assert_error_shape(json.loads(body))
    assert detail["field"] == "body" and "PRIVACYOPS_MAX_BODY_BYTES" in str(detail["rule"])


def test_a_streamed_body_is_cut_at_the_cap_and_never_echoed(capped: str) -> None:
    marker = "ECHO-ME-" * 2000  # 16 KB of a value that must not come back

    def chunks() -> Iterator[bytes]:  # no Content-Length: the middleware has to count
        document = json.dumps({"type": "access", "details": marker}).encode()
        for start in range(0, len(document), 1000):
            yield document[start:start + 1000]

    with httpx.Client(base_url=capped, timeout=10) as http:
        response = http.post("/api/v1/requests", content=chunks(),
                             headers={"Content-Type": "application/json"})
    assert response.status_code == 413
    assert "ECHO-ME" not in response.text
    assert _assert_error_shape(response.json())["field"] == "body"


def test_the_masking_endpoints_take_larger_bodies(capped: str) -> None:
    text = "call me on +49 30 1234567 " * 300  # about 8 KB: over the default cap, under the bulk cap
    trace = {"resourceSpans": [{"scopeSpans": [{"spans": [{"name": "chat", "attributes": [
        {"key": "input", "value": {"stringValue": text}}]}]}]}]}
    with httpx.Client(base_url=capped, timeout=30) as http:
        masked = http.post("/api/v1/pii/langfuse/ingestion-mask", json=trace)
        too_big = http.post("/api/v1/pii/langfuse/ingestion-mask", content=b"x" * (17 * SMALL_CAP),
                            headers={"Content-Type": "application/json"})
        elsewhere = http.post("/api/v1/requests", json={"type": "access", "details": text})
    assert masked.status_code == 200 and "1234567" not in masked.text
    assert too_big.status_code == 413
    assert "PRIVACYOPS_MAX_BULK_BODY_BYTES" in too_big.json()["detail"]["rule"]
    assert elsewhere.status_code == 413


def test_validation_errors_use_the_error_shape_without_the_input(client: TestClient,
                                                                 admin_headers: dict[str, str]) -> None:
    secret_value = "do-not-echo-" + "z" * 500
    response = client.post("/api/v1/tokens", headers=admin_headers,
                            json={"name": secret_value * 2, "role": secret_value})
    assert response.status_code == 422
    detail = _assert_error_shape(response.json())
    assert "do-not-echo" not in response.text
    fields = {problem["field"] for problem in detail["errors"]}  # type: ignore[union-attr]
    assert fields == {"body.name", "body.role"}
    broken = client.post("/api/v1/tokens", headers={**admin_headers, "Content-Type": "application/json"},
                         content=b"{not json")
    assert broken.status_code == 422 and _assert_error_shape(broken.json())["field"].startswith("body")


def test_plain_4xx_answers_take_the_error_shape(client: TestClient, admin_headers: dict[str, str]) -> None:
    unauthorised = client.get("/api/v1/whoami")
    missing_token = client.delete("/api/v1/tokens/999", headers=admin_headers)
    no_route = client.get("/api/v1/nothing-here")
    wrong_method = client.put("/healthz")
    assert unauthorised.status_code == 401
    assert _assert_error_shape(unauthorised.json())["field"] == "Authorization"
    assert missing_token.status_code == 404 and _assert_error_shape(missing_token.json())
    assert no_route.status_code == 404 and _assert_error_shape(no_route.json())["field"] == "path"
    assert wrong_method.status_code == 405 and _assert_error_shape(wrong_method.json())["field"] == "method"


def test_every_operation_documents_its_errors_with_one_schema(client: TestClient) -> None:
    document = client.get("/api/v1/openapi.json").json()
    assert "ErrorBody" in document["components"]["schemas"]
    assert "HTTPValidationError" not in document["components"]["schemas"]
    checked = 0
    for path, item in document["paths"].items():
        for method, operation in item.items():
            responses = operation["responses"]
            if operation.get("security"):
                assert {"401", "403"} <= set(responses), f"{method} {path}"
            if operation.get("parameters") or "requestBody" in operation:
                assert "422" in responses, f"{method} {path}"
            if "requestBody" in operation:
                assert "413" in responses, f"{method} {path}"
            for code, response in responses.items():
                if code.startswith("4"):
                    assert "schema" in response["content"]["application/json"], f"{method} {path} {code}"
                    checked += 1
    assert checked >= 60
    log = document["paths"]["/api/v1/requests/log"]["get"]["responses"]["200"]["content"]
    package = document["paths"]["/api/v1/packages/{token}"]["get"]["responses"]["200"]["content"]
    assert "text/csv" in log and "application/zip" in package
    assert "text/html" in document["paths"]["/privacy"]["get"]["responses"]["200"]["content"]


def test_the_bare_address_leads_to_the_privacy_center(client: TestClient) -> None:
    response = client.get("/", follow_redirects=False)
    assert response.status_code in (302, 307) and response.headers["location"] == "/privacy"
    assert client.get("/").status_code == 200


def test_the_served_notice_links_to_the_local_form_and_the_file_keeps_the_company_url(
    client: TestClient, app: FastAPI
) -> None:
    manifest = manifest_load.load_manifest(LANGFUSE_MANIFEST)
    company_url = manifest.contacts.dsr_url
    assert company_url and "127.0.0.1" not in company_url
    served = client.get("/privacy").text
    form_url = app.state.services.settings.public_url.rstrip("/") + "/privacy/request"
    assert f'href="{form_url}"' in served
    assert company_url not in served
    rendered_file = render.render_notice(manifest, "html")
    assert company_url in rendered_file and form_url not in rendered_file
    assert client.get("/privacy/request").status_code == 200


def test_pseudonyms_use_the_deployment_key(settings: Settings, admin_headers: dict[str, str]) -> None:
    # No PRIVACYOPS_SECRET_KEY: the key generated into the home folder is the one that keys pseudonyms.
    assert settings.secret_key is None
    body = {"text": "write to ada@example.com", "operator": "pseudonym"}
    with TestClient(create_app(settings)) as first:
        masked = first.post("/api/v1/pii/mask", headers=admin_headers, json=body)
    assert masked.status_code == 200, masked.text
    assert "ada@example.com" not in masked.json()["text"]
    assert (settings.home / "secret_key").is_file()
    with TestClient(create_app(settings)) as second:  # same home, same key: the same pseudonym
        again = second.post("/api/v1/pii/mask", headers=admin_headers, json=body)
    assert again.json()["text"] == masked.json()["text"]
    other = settings.model_copy(update={"secret_key": "another-deployment-key-0123456789"})
    with TestClient(create_app(other)) as third:
        different = third.post("/api/v1/pii/mask", headers=admin_headers, json=body)
    assert different.json()["text"] != masked.json()["text"]


def test_a_value_the_database_cannot_store_is_a_422_not_a_crash(
    client: TestClient, admin_headers: dict[str, str], db_kind: str
) -> None:
    nul = {"name": "ci\x00job", "role": "viewer"}
    response = client.post("/api/v1/tokens", headers=admin_headers, json=nul)
    too_far = client.delete(f"/api/v1/tokens/{2**31}", headers=admin_headers)
    assert too_far.status_code == 422 and _assert_error_shape(too_far.json())["field"] == "path.token_id"
    if db_kind == "postgres":  # PostgreSQL text cannot hold NUL; SQLite stores it as given
        assert response.status_code == 422
        assert "NUL" in str(_assert_error_shape(response.json())["rule"])
    else:
        assert response.status_code == 201
