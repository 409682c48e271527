"""`privacyops serve` as a subprocess: its output names no token, code, request id or email address.

A request is filed, verified with the code mailed to a real SMTP server, its page and status fetched,
an access package downloaded through its signed link, and the masking callback called with ``?token=``.
The access log still shows each call, with placeholders where the secrets were.
"""

from __future__ import annotations

import email
import io
import re
import signal
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiosmtpd.controller import Controller

from privacyops.examples import LANGFUSE_MANIFEST
from privacyops.execution import links
from privacyops.package import crypto
from privacyops.package import links as package_links
from tests import support

SECRET = "serve-logs-secret-key-0123456789abcdef"
CALLBACK_TOKEN = "cb-token-Zq81Xw"
SUBJECT = "margaret.hamilton@example.org"


@dataclass
class Mailbox:
    """A real SMTP server on 127.0.0.1 keeping what it receives."""

    messages: list[EmailMessage] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.messages.append(email.message_from_bytes(envelope.content, policy=default_policy))  # type: ignore[arg-type]
        return "250 OK"

    def code(self, timeout: float = 60) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for message in self.messages:
                if "confirmation code" in str(message["Subject"]):
                    body = message.get_body(preferencelist=("plain",))
                    assert body is not None
                    found = re.search(r"^\s+(\d{6})\s*$", body.get_content(), re.MULTILINE)
                    assert found, "no code in the verification message"
                    return found.group(1)
            time.sleep(0.1)
        raise AssertionError("the code was not mailed within the time allowed")


@dataclass
class Served:
    base: str
    process: subprocess.Popen[str]
    home: Path
    mailbox: Mailbox

    def output(self) -> str:
        """Stop the server and return everything it wrote to stdout and stderr."""
        self.process.send_signal(signal.SIGINT)
        try:
            out, err = self.process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            out, err = self.process.communicate()
        return out + err


@pytest.fixture
def served(db_url: str, tmp_path: Path) -> Iterator[Served]:
    mailbox = Mailbox()
    smtp_port = support.free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    port = support.free_port()
    home = tmp_path / "home"
    env = support.clean_env(
        PRIVACYOPS_HOME=str(home),
        PRIVACYOPS_DATABASE_URL=db_url,
        PRIVACYOPS_SECRET_KEY=SECRET,
        PRIVACYOPS_SMTP_HOST="127.0.0.1",
        PRIVACYOPS_SMTP_PORT=str(smtp_port),
        PRIVACYOPS_LANGFUSE_CALLBACK_TOKEN=CALLBACK_TOKEN,
    )
    command = ["serve", "--port", str(port), "--manifest", str(LANGFUSE_MANIFEST)]
    process = subprocess.Popen(
        [sys.executable, "-m", "privacyops", *command],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    served = Served(f"http://127.0.0.1:{port}", process, home, mailbox)
    try:
        wait_until_up(served)
        yield served
    finally:
        if process.poll() is None:
            served.output()
        controller.stop()


def wait_until_up(served: Served) -> None:
    deadline = time.monotonic() + 60
    while True:
        if served.process.poll() is not None:
            raise AssertionError(f"serve exited early:\n{served.output()}")
        try:
            if httpx.get(f"{served.base}/healthz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        assert time.monotonic() < deadline, "serve did not answer /healthz within 60 s"
        time.sleep(0.2)


def sealed_package(home: Path, request_id: str) -> tuple[str, bytes]:
    """Keep a small access package for the request, as a finished run does; return its link token."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("data.json", '{"account": {"plan": "hobby"}}')
    data = buffer.getvalue()
    path = links.package_path(home, request_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(crypto.seal(data, SECRET.encode()))
    token = package_links.sign_link(request_id, datetime.now(UTC) + timedelta(days=1), SECRET.encode())
    return token, data


@pytest.mark.req("AC-3", "INT-7")
def test_serve_output_holds_no_token_code_id_or_email(served: Served) -> None:
    base = served.base
    filed = httpx.post(f"{base}/api/v1/requests", json={"type": "access", "identities": {"email": SUBJECT}})
    assert filed.status_code == 201, filed.text
    request_id = filed.json()["id"]
    code = served.mailbox.code()
    wrong = "000000" if code != "000000" else "111111"
    assert httpx.post(f"{base}/api/v1/requests/{request_id}/verify", json={"code": wrong}).status_code == 422
    verified = httpx.post(f"{base}/api/v1/requests/{request_id}/verify", json={"code": code})
    assert verified.status_code == 200, verified.text
    assert httpx.get(f"{base}/privacy/requests/{request_id}").status_code == 200
    assert httpx.get(f"{base}/api/v1/requests/{request_id}/status").status_code == 200

    token, data = sealed_package(served.home, request_id)
    download = httpx.get(f"{base}/api/v1/packages/{token}")
    assert download.status_code == 200 and download.content == data
    callback = httpx.post(
        f"{base}/api/v1/pii/langfuse/ingestion-mask?token={CALLBACK_TOKEN}",
        json={"resourceSpans": []},
        headers={"X-Langfuse-Org-Id": "org", "X-Langfuse-Project-Id": "proj"},
    )
    assert callback.status_code == 200, callback.text

    output = served.output()
    assert '"GET /api/v1/packages/[token] HTTP/1.1" 200' in output
    assert '"POST /api/v1/pii/langfuse/ingestion-mask?token=[redacted] HTTP/1.1" 200' in output
    assert '"GET /privacy/requests/[id] HTTP/1.1" 200' in output
    assert '"POST /api/v1/requests/[id]/verify HTTP/1.1" 422' in output
    support.assert_no_secrets(output, [token, SUBJECT, code, request_id, CALLBACK_TOKEN, SECRET])
