from __future__ import annotations

import email
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from fastapi import FastAPI

from privacyops.examples import LANGFUSE_MANIFEST
from privacyops.requests import outbox
from privacyops.requests.mailer import SmtpMailer
from privacyops.settings import Settings
from privacyops.store import db
from tests.support import free_port

ADMIN_TOKEN = "po_test_admin_token_for_request_tests"
SECRET = "request-tests-secret-key-0123456789"


@dataclass
class Inbox:
    """Messages received by a real SMTP server on 127.0.0.1."""

    port: int
    messages: list[EmailMessage] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.messages.append(email.message_from_bytes(envelope.content, policy=default_policy))  # type: ignore[arg-type]
        return "250 OK"

    def wait_for(self, count: int, timeout: float = 30) -> list[EmailMessage]:
        deadline = time.monotonic() + timeout
        while len(self.messages) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"expected {count} message(s), got {len(self.messages)}")
            time.sleep(0.05)
        return self.messages

    def of_kind(self, subject_part: str) -> list[EmailMessage]:
        return [m for m in self.messages if subject_part in str(m["Subject"])]

    def code(self) -> str:
        message = self.of_kind("confirmation code")[-1]
        body = message.get_body(preferencelist=("plain",))
        assert body is not None
        found = re.search(r"^\s+(\d{6})\s*$", body.get_content(), re.MULTILINE)
        assert found, "no code in the verification message"
        return found.group(1)


@pytest.fixture
def smtp() -> Iterator[Inbox]:
    inbox = Inbox(port=free_port())
    controller = Controller(inbox, hostname="127.0.0.1", port=inbox.port)
    controller.start()
    yield inbox
    controller.stop()


@pytest.fixture
def settings(db_url: str, tmp_path: Path, smtp: Inbox) -> Settings:
    db.upgrade(db_url)
    return Settings(
        database_url=db_url,
        home=tmp_path / "home",
        manifest=LANGFUSE_MANIFEST,
        admin_token=ADMIN_TOKEN,
        secret_key=SECRET,
        worker_in_process=False,
        smtp_host="127.0.0.1",
        smtp_port=smtp.port,
        mail_from="privacy@langfuse.example",
    )


@pytest.fixture
def admin() -> dict[str, str]:
    return {"Authorization": f"Bearer {ADMIN_TOKEN}"}


@pytest.fixture
def send_mail(app: FastAPI, settings: Settings, smtp: Inbox) -> Any:
    """Run the outbox dispatcher once against the real SMTP server, as the worker does."""

    def run() -> outbox.DispatchReport:
        sessions = app.state.services.sessions
        return outbox.dispatch_pending(sessions, SmtpMailer("127.0.0.1", smtp.port), settings.mail_from)

    return run
