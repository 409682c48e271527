"""A newcomer's first use: a fresh home, the demo mailbox, a mail server that is down, a failed run.

Every command runs as a subprocess, as a user types it; mail goes through real HTTP and SMTP servers.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller

from privacyops.examples import LANGFUSE_MANIFEST
from privacyops.store.models.outbox import OutboxMessage
from tests import support
from tests.support import clean_env, free_port

SUBJECT = {"type": "access", "identities": {"email": "subject1@example.com"}, "regions": ["eu"]}


def privacyops(*args: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "privacyops", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300)


@contextmanager
def running(args: list[str], cwd: Path, env: dict[str, str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    with log.open("wb") as out:
        process = subprocess.Popen([sys.executable, "-m", "privacyops", *args], cwd=cwd, env=env,
                                   stdout=out, stderr=subprocess.STDOUT)
    try:
        yield process
    finally:
        support.stop_process(process)


def eventually(check: Callable[[], Any], what: str, process: subprocess.Popen[bytes], log: Path,
               seconds: float = 90) -> Any:
    deadline = time.monotonic() + seconds
    while True:
        try:
            found = check()
        except httpx.TransportError:
            found = None
        if found:
            return found
        output = log.read_text(errors="replace")
        assert process.poll() is None, f"exited while waiting for {what}:\n{output}"
        assert time.monotonic() < deadline, f"no {what} within {seconds} s:\n{output}"
        time.sleep(0.3)


def test_a_fresh_home_works_without_db_upgrade(db_kind: str, db_url: str, tmp_path: Path) -> None:
    # On SQLite the store is the default one, in ./.privacyops.
    env = clean_env() if db_kind == "sqlite" else clean_env(PRIVACYOPS_DATABASE_URL=db_url)
    commands = [
        ("request", "list"),
        ("audit", "verify"),
        ("report", "requests", "--since", "2026-01-01"),
        ("request", "submit", "--type", "access", "--identity", "email=a@example.com", "--verified"),
    ]
    results = [privacyops(*command, cwd=tmp_path, env=env) for command in commands]
    if db_kind == "sqlite":
        for command, result in zip(commands, results, strict=True):
            assert result.returncode == 0, f"{command}: {result.stderr}"
        assert (tmp_path / ".privacyops" / "privacyops.db").is_file()
        return
    for command, result in zip(commands, results, strict=True):
        assert result.returncode == 1, command
        assert "run `privacyops db upgrade`" in result.stderr, result.stderr
        assert "Traceback" not in result.stderr
    assert privacyops("db", "upgrade", cwd=tmp_path, env=env).returncode == 0
    assert privacyops("request", "list", cwd=tmp_path, env=env).returncode == 0


def mail_to(base: str, address: str, subject: str) -> list[dict[str, str]]:
    kept = httpx.get(f"{base}/dev/mail.json", timeout=5).json()
    return [m for m in kept if m["to"] == address and m["subject"] == subject]


@pytest.mark.req("INT-1")
def test_the_demo_mailbox_shows_the_verification_mail_with_links_on_the_served_port(tmp_path: Path) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = tmp_path / "demo.log"
    args = ["demo", "--port", str(port), "--users", "20", "--traces", "800"]
    with running(args, tmp_path, clean_env(), log) as process:
        eventually(lambda: httpx.get(f"{base}/privacy", timeout=2).status_code == 200, "notice", process, log)
        filed = httpx.post(f"{base}/api/v1/requests", json=SUBJECT, timeout=10)
        assert filed.status_code == 201, filed.text
        request_id = filed.json()["id"]
        found = eventually(lambda: mail_to(base, "subject1@example.com", "Your confirmation code"),
                           "verification mail", process, log)
        page = httpx.get(f"{base}/dev/mail", timeout=5).text
    (mail,) = found
    assert set(mail) == {"to", "subject", "text", "received_at"}
    assert f"{base}/privacy/requests/{request_id}" in mail["text"]
    code = re.search(r"\b\d{6}\b", mail["text"])
    assert code is not None, mail["text"]
    assert "Demo only" in page and "Your confirmation code" in page
    assert "ConnectionRefusedError" not in log.read_text(errors="replace")


def outbox_states(db_url: str) -> list[tuple[str, str | None]]:
    engine = sa.create_engine(db_url.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        with engine.connect() as conn:
            rows = conn.execute(sa.select(OutboxMessage.state, OutboxMessage.last_error)).all()
    finally:
        engine.dispose()
    return [(row[0], row[1]) for row in rows]


class Received:
    """An aiosmtpd handler that keeps the recipients of what it received."""

    def __init__(self) -> None:
        self.recipients: list[str] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd hook
        self.recipients.extend(envelope.rcpt_tos)
        return "250 OK"


def test_a_mail_server_that_is_down_keeps_the_mail_and_warns_once(db_url: str, tmp_path: Path) -> None:
    port, smtp_port = free_port(), free_port()
    base = f"http://127.0.0.1:{port}"
    env = clean_env(PRIVACYOPS_HOME=str(tmp_path / "home"), PRIVACYOPS_DATABASE_URL=db_url,
                    PRIVACYOPS_MANIFEST=str(LANGFUSE_MANIFEST), PRIVACYOPS_SMTP_PORT=str(smtp_port))
    log = tmp_path / "serve.log"
    handler = Received()
    smtp = Controller(handler, hostname="127.0.0.1", port=smtp_port)
    with running(["serve", "--port", str(port)], tmp_path, env, log) as process:
        eventually(lambda: httpx.get(f"{base}/healthz", timeout=2).status_code == 200, "health", process, log)
        assert httpx.get(f"{base}/dev/mail.json").status_code == 404  # not in demo mode
        assert httpx.get(f"{base}/dev/mail").status_code == 404
        assert httpx.post(f"{base}/api/v1/requests", json=SUBJECT, timeout=10).status_code == 201
        eventually(lambda: "unreachable" in log.read_text(errors="replace"), "warning", process, log)
        assert outbox_states(db_url) and all(state == "pending" for state, _ in outbox_states(db_url))
        smtp.start()
        try:
            eventually(lambda: len(handler.recipients) >= 2, "delivery once the server is up", process, log)
        finally:
            smtp.stop()
        eventually(lambda: all(state == "sent" for state, _ in outbox_states(db_url)), "sent", process, log)
    output = log.read_text(errors="replace")
    warnings = [line for line in output.splitlines() if "unreachable" in line]
    assert len(warnings) == 1, output
    assert "Traceback" not in output and "subject1@example.com" not in output
    assert handler.recipients == ["subject1@example.com", "subject1@example.com"]


@pytest.mark.req("ER-6")
def test_a_run_that_failed_completes_with_retry(tmp_path: Path) -> None:
    env = clean_env()
    built = privacyops("demo", "--no-serve", "--users", "20", "--traces", "800", cwd=tmp_path, env=env)
    assert built.returncode == 0, built.stderr
    filed = privacyops("request", "submit", "--type", "erasure", "--identity", "email=subject2@example.com",
                       "--verified", cwd=tmp_path, env=env)
    request_id = filed.stdout.split()[0]
    assert privacyops("request", "approve", request_id, cwd=tmp_path, env=env).returncode == 0
    down = {**env, "APP_DATABASE_URL": "postgresql://nobody:x@127.0.0.1:1/none?connect_timeout=2"}
    failed = privacyops("request", "run", request_id, "--wait", cwd=tmp_path, env=down)
    assert failed.returncode == 1
    assert "find the subject: failed" in failed.stdout
    assert "erase app_db.users: blocked" in failed.stdout  # nothing erased on what was not found
    again = privacyops("request", "run", request_id, "--wait", cwd=tmp_path, env=env)
    assert again.returncode == 1 and "failed" in again.stdout.splitlines()[0]
    retried = privacyops("request", "run", request_id, "--wait", "--retry", cwd=tmp_path, env=env)
    assert retried.returncode == 0, retried.stdout + retried.stderr
    assert "prove nothing is left: done" in retried.stdout
    assert "erase app_db.users: done (attempts 1, rows 1)" in retried.stdout
