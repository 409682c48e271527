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
