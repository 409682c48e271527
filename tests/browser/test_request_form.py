"""The privacy-center form in real Chromium: submit, read the code from a real SMTP message, verify."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
import uvicorn
from aiosmtpd.controller import Controller

from privacyops.api.app import create_app
from privacyops.demo.generate import build_demo
from privacyops.examples import LANGFUSE_MANIFEST
from privacyops.settings import Settings
from privacyops.store import db
from tests.integration.requests.conftest import Inbox, free_port


@pytest.fixture
def smtp() -> Iterator[Inbox]:
    inbox = Inbox(port=free_port())
    controller = Controller(inbox, hostname="127.0.0.1", port=inbox.port)
    controller.start()
    yield inbox
    controller.stop()


@pytest.fixture
def served(db_url: str, tmp_path: Path, smtp: Inbox) -> Iterator[str]:
    db.upgrade(db_url)
    port = free_port()
    settings = Settings(
        database_url=db_url,
        home=tmp_path / "home",
        manifest=LANGFUSE_MANIFEST,
        admin_token="po_browser_admin_token",
        secret_key="browser-test-secret-key-0123456789",
        worker_in_process=True,
        smtp_host="127.0.0.1",
        smtp_port=smtp.port,
        mail_from="privacy@langfuse.example",
        public_url=f"http://127.0.0.1:{port}",
    )
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=30)


def audit_verify(db_url: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "privacyops", "audit", "verify", "--db", db_url],
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.req("INT-1", "RK-4")
def test_form_to_verified_with_due_dates_and_a_tamper_evident_trail(
    page: Any, served: str, smtp: Inbox, db_url: str
) -> None:
    page.goto(f"{served}/privacy/request")
    page.select_option("#type", "access")
    page.fill("#email", "ada@example.com")
    page.select_option("#region", "eu")
    page.click("#send")
    page.wait_for_selector("#state")
    assert page.get_attribute("#state", "data-state") == "awaiting_verification"
    request_id = page.inner_text("#request-id").strip()
    smtp.wait_for(2)
    page.fill("#code", smtp.code())
    page.click("#verify")
    # The in-process worker may already have moved a verified request on (approval, run,
    # completion) by the time the page reads it back: any state past verification counts.
    page.wait_for_selector("#state:not([data-state='awaiting_verification'])")
    assert page.get_attribute("#state", "data-state") in {
        "verified",
        "awaiting_approval",
        "in_progress",
        "completed",
        "partially_completed",
    }
    assert page.inner_text("#received-on")
    response_due = page.inner_text("#response-due")
    assert response_due[:4].isdigit() and response_due.count("-") == 2
    assert (
        response_due
        in smtp.of_kind("received your privacy request")[0].get_body(preferencelist=("plain",)).get_content()
    )

    intact = audit_verify(db_url)
    assert intact.returncode == 0, intact.stderr
    engine = db.make_engine(db_url)
    with engine.begin() as conn:
        row_id = conn.execute(
            sa.text("SELECT min(id) FROM audit_events WHERE entity_id = :id"), {"id": request_id}
        ).scalar_one()
        conn.execute(sa.text("UPDATE audit_events SET actor = 'someone-else' WHERE id = :id"), {"id": row_id})
    engine.dispose()
    broken = audit_verify(db_url)
    assert broken.returncode == 1
    assert f"row {row_id}" in broken.stderr


def test_form_names_the_field_it_refuses(page: Any, served: str) -> None:
    page.goto(f"{served}/privacy/request")
    page.evaluate("document.querySelector('#email').type = 'text'")
    page.fill("#email", "not-an-address")
    page.click("#send")
    page.wait_for_selector("#form-error")
    assert page.get_attribute("#form-error", "data-field") == "identities.email"
    assert "not an email address" in page.inner_text("#form-error")
    assert page.input_value("#email") == "not-an-address"


@pytest.mark.req("AC-3")
def test_the_browser_that_verified_downloads_the_package_without_javascript(
    browser: Any, served: str, smtp: Inbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    demo_url = f"sqlite:///{tmp_path / 'demo.db'}"
    build_demo(demo_url, users=30, traces=700, seed=5)
    monkeypatch.setenv("APP_DATABASE_URL", demo_url)  # the in-process worker answers from this database
    context = browser.new_context(java_script_enabled=False, accept_downloads=True)
    page = context.new_page()
    page.goto(f"{served}/privacy/request")
    page.select_option("#type", "access")
    page.fill("#email", "subject1@example.com")
    page.select_option("#region", "eu")
    page.click("#send")
    request_id = page.inner_text("#request-id").strip()
    smtp.wait_for(2)
    page.fill("#code", smtp.code())
    page.click("#verify")
    deadline = time.monotonic() + 60
    while page.get_attribute("#state", "data-state") not in ("completed", "partially_completed"):
        assert time.monotonic() < deadline, page.inner_text("#state")
        time.sleep(0.5)
        page.reload()
    button = page.locator("#download-package")
    assert "/api/v1/packages/" in (button.get_attribute("href") or "")
    with page.expect_download() as download:
        button.click()
    saved = tmp_path / "package.zip"
    download.value.save_as(str(saved))
    assert saved.read_bytes()[:2] == b"PK"
    context.close()

    stranger = browser.new_context(java_script_enabled=False)  # knows the reference, not the browser
    other = stranger.new_page()
    other.goto(f"{served}/privacy/requests/{request_id}")
    assert other.locator("#download-package").count() == 0
    assert "link in our e-mail" in other.inner_text("#package-by-mail")
    forged = f"{request_id}.{'0' * 32}"
    stranger.add_cookies([{"name": "po_verified", "value": forged, "url": f"{served}/privacy/"}])
    other.reload()
    assert other.locator("#download-package").count() == 0
    stranger.close()


@pytest.mark.req("INT-6")
def test_an_authorised_agent_files_for_someone_who_is_asked_to_confirm(
    page: Any, served: str, smtp: Inbox, tmp_path: Path, db_url: str
) -> None:
    def fill(subject: str, document: Path | None, attests: bool) -> None:
        page.goto(f"{served}/privacy/request")
        page.select_option("#type", "access")
        page.fill("#email", subject)
        page.select_option("#region", "us-ca")
        if not page.is_visible("#for_someone_else"):
            page.click("#agent summary")
        page.check("#for_someone_else")
        page.fill("#agent_name", "Alex Agent")
        page.fill("#agent_email", "alex@agency.example")
        if document is not None:
            page.set_input_files("#agent_document", str(document))
        if attests:
            page.check("#agent_attests")
        page.click("#send")

    disguised = tmp_path / "permission.pdf"
    disguised.write_bytes(b"<html>not a pdf</html>")
    fill("ana@example.com", disguised, True)
    assert page.get_attribute("#form-error", "data-field") == "agent_document"
    assert page.input_value("#agent_name") == "Alex Agent"

    permission = tmp_path / "permission.txt"
    permission.write_text("I, Ana, authorise Alex Agent to ask for my data. Signed: Ana\n")
    fill("ana@example.com", permission, True)
    assert page.get_attribute("#state", "data-state") == "awaiting_verification"
    assert "person it is for" in page.inner_text("#agent-note")
    smtp.wait_for(2)
    assert {str(m["To"]) for m in smtp.of_kind("confirmation code")} == {"ana@example.com"}

    fill("ben@example.com", None, False)  # no signed permission: the request waits for it
    assert page.get_attribute("#state", "data-state") == "awaiting_agent_proof"
    assert "signed permission" in page.inner_text("#agent-note")
    engine = db.make_engine(db_url)
    with engine.begin() as conn:
        agents = conn.execute(sa.text("SELECT name, email, attested FROM request_agents")).all()
        kinds = conn.execute(sa.text("SELECT kind FROM evidence_files")).scalars().all()
    engine.dispose()
    assert len(agents) == 2 and all(name.startswith("pe1:") and email.startswith("pe1:")
                                    for name, email, _ in agents)
    assert kinds == ["agent_permission"]
