"""The privacy center's agent path and the package button, through the app's own HTTP forms."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient

from privacyops.execution import links
from privacyops.package import crypto
from privacyops.settings import Settings

from .conftest import SECRET, Inbox

PERMISSION = b"I, Ana Lopez, authorise Alex Agent to ask for my personal data.\nSigned: Ana Lopez\n"


def agent_form(**overrides: Any) -> dict[str, str]:
    return {"type": "access", "email": "ana@example.com", "region": "us-ca", "for_someone_else": "yes",
            "agent_name": "Alex Agent", "agent_email": "alex@agency.example", "agent_attests": "yes",
            **overrides}


def test_an_agent_files_with_signed_permission_and_the_person_gets_the_code(
    client: TestClient, app: FastAPI, smtp: Inbox, send_mail: Any
) -> None:
    filed = client.post("/privacy/request", data=agent_form(), follow_redirects=False,
                        files={"agent_document": ("permission.txt", PERMISSION, "text/plain")})
    assert filed.status_code == 303, filed.text
    page = client.get(filed.headers["location"]).text
    assert "person it is for" in page and 'data-state="awaiting_verification"' in page
    send_mail()
    assert [str(m["To"]) for m in smtp.of_kind("confirmation code")] == ["ana@example.com"]

    waiting = client.post("/privacy/request", data=agent_form(email="ben@example.com", agent_attests=""),
                          follow_redirects=False)
    assert 'data-state="awaiting_agent_proof"' in client.get(waiting.headers["location"]).text
    too_big = client.post("/privacy/request", data=agent_form(email="cy@example.com"),
                          files={"agent_document": ("permission.txt", b"a" * 1_000_001, "text/plain")})
    assert too_big.status_code == 422 and 'data-field="agent_document"' in too_big.text
    no_name = client.post("/privacy/request", data=agent_form(email="cy@example.com", agent_name=" "))
    assert no_name.status_code == 422 and 'data-field="agent_name"' in no_name.text

    with app.state.services.sessions() as session:
        agents = session.execute(sa.text("SELECT name, email, attested FROM request_agents")).all()
        files = session.execute(sa.text("SELECT kind, file_name, content FROM evidence_files")).all()
        named = session.execute(sa.text("SELECT data FROM audit_events WHERE action = 'request.agent_named'"
                                        )).scalars().all()
    assert sorted(a[2] for a in agents) == [False, True]
    assert all(a[0].startswith("pe1:") and a[1].startswith("pe1:") for a in agents)
    assert [f[0] for f in files] == ["agent_permission"] and files[0][2].startswith("pe1:")
    assert "Alex" not in str(named) and "agency" not in str(named)


def test_only_the_browser_that_entered_the_code_is_offered_the_package(
    client: TestClient, app: FastAPI, settings: Settings, smtp: Inbox, send_mail: Any
) -> None:
    filed = client.post("/privacy/request", follow_redirects=False,
                        data={"type": "access", "email": "dora@example.com", "region": "eu"})
    page_url = filed.headers["location"]
    request_id = page_url.rsplit("/", 1)[1]
    send_mail()
    verified = client.post(f"/privacy/requests/{request_id}/verify", data={"code": smtp.code()},
                           follow_redirects=False)
    assert verified.status_code == 303
    cookie = verified.headers["set-cookie"]
    assert cookie.startswith("po_verified=") and "HttpOnly" in cookie and "Path=/privacy" in cookie
    # The run's end, as the worker leaves it: the request completed and its package sealed on disk.
    path = links.package_path(settings.home, request_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(crypto.seal(b"PK\x05\x06" + b"\0" * 18, SECRET.encode()))
    with app.state.services.sessions.begin() as session:
        session.execute(sa.text("UPDATE subject_requests SET state = 'completed' WHERE id = :id"),
                        {"id": request_id})

    page = client.get(page_url).text
    assert 'id="download-package"' in page
    href = page.split('id="download-package" class="button" href="', 1)[1].split('"', 1)[0]
    package = client.get(href)
    assert package.status_code == 200 and package.content.startswith(b"PK")

    client.cookies.clear()  # someone who knows the reference, not the browser
    assert 'id="download-package"' not in client.get(page_url).text
    client.cookies.set("po_verified", f"{request_id}.{'0' * 32}", path="/privacy")
    assert 'id="download-package"' not in client.get(page_url).text
