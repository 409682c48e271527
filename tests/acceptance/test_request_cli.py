"""``privacyops request`` and ``report requests`` as subprocesses, and a server killed before it mails."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller

from privacyops.examples import LANGFUSE_MANIFEST
from privacyops.store import db
from tests.integration.requests.conftest import Inbox, free_port


@pytest.fixture
def env(db_url: str, tmp_path: Path) -> dict[str, str]:
    db.upgrade(db_url)
    clean = {key: value for key, value in os.environ.items() if not key.startswith("PRIVACYOPS_")}
    clean.update(
        PRIVACYOPS_HOME=str(tmp_path / "home"),
        PRIVACYOPS_DATABASE_URL=db_url,
        PRIVACYOPS_MANIFEST=str(LANGFUSE_MANIFEST),
        PRIVACYOPS_SECRET_KEY="acceptance-secret-key-0123456789",
        PRIVACYOPS_MAIL_FROM="privacy@langfuse.example",
    )
    return clean


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "privacyops", *args], capture_output=True, text=True, timeout=120, env=env
    )


def submit(env: dict[str, str], *extra: str) -> dict[str, object]:
    done = run(
        env, "request", "submit", "--type", "access", "--identity", "email=ada@example.com", "--json", *extra
    )
    assert done.returncode == 0, done.stderr
    return dict(json.loads(done.stdout))


@pytest.mark.req("RK-1")
def test_submit_list_show_and_decide(env: dict[str, str]) -> None:
    filed = submit(env, "--region", "eu")
    assert filed["state"] == "awaiting_verification"
    request_id = str(filed["id"])
    listed = run(env, "request", "list", "--json")
    assert [r["id"] for r in json.loads(listed.stdout)] == [request_id]
    shown = json.loads(run(env, "request", "show", request_id, "--json").stdout)
    assert shown["identities"][0]["value"] == "ada@example.com"
    assert shown["response_due"] == filed["response_due"]
    assert run(env, "request", "verify", request_id, "--reason", "passport seen").returncode == 0
    approved = run(env, "request", "approve", request_id, "--json")
    assert approved.returncode == 0, approved.stderr
    assert json.loads(approved.stdout)["state"] == "in_progress"
    denied = run(
        env, "request", "deny", request_id, "--code", "no_data", "--reason", "nothing held", "--json"
    )
    assert json.loads(denied.stdout)["state"] == "denied"
    log = run(env, "report", "requests", "--since", "2020-01-01", "--format", "csv")
    assert log.returncode == 0, log.stderr
    header, row = log.stdout.strip().splitlines()
    assert header.split(",") == [
        "date_received",
        "request_type",
        "manner_received",
        "date_of_response",
        "nature_of_response",
        "basis_of_denial",
    ]
    assert row.split(",")[1:3] == ["access", "cli"] and row.endswith("denied,no_data: nothing held")
    assert run(env, "audit", "verify").returncode == 0


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--type", "teleport", "--identity", "email=a@example.com"], "type: unknown request type"),
        (
            ["--type", "access", "--identity", "email=a@example.com", "--region", "mars"],
            "regions[0]: unknown",
        ),
        (["--type", "access", "--identity", "email=nope"], "identity: not an email address"),
        (["--type", "access", "--identity", "email"], "identity: write an identity as kind=value"),
    ],
)
def test_bad_submit_exits_1_naming_the_field(env: dict[str, str], args: list[str], words: str) -> None:
    done = run(env, "request", "submit", *args)
    assert done.returncode == 1
    assert words in done.stderr
    assert json.loads(run(env, "request", "list", "--json").stdout) == []


@pytest.mark.req("DL-1", "INT-2")
def test_extension_after_the_first_period_exits_1_and_changes_nothing(env: dict[str, str]) -> None:
    filed = submit(env, "--received-at", "2025-01-31T09:00:00+01:00", "--channel", "ticket", "--verified")
    assert filed["response_due"] == "2025-02-28"
    late = run(env, "request", "extend", str(filed["id"]), "--reason", "archives")
    assert late.returncode == 1
    assert "at: an extension must be noticed by 2025-02-28" in late.stderr
    shown = json.loads(run(env, "request", "show", str(filed["id"]), "--json").stdout)
    assert shown["extensions"] == [] and shown["response_due"] == "2025-02-28"
    assert run(env, "request", "show", "no-such-id").returncode == 1


def test_duplicate_submit_links(env: dict[str, str]) -> None:
    first = submit(env)
    again = run(env, "request", "submit", "--type", "access", "--identity", "email=ada@example.com", "--json")
    assert json.loads(again.stdout)["id"] == first["id"]
    assert "linked to the open request" in again.stderr
    assert len(json.loads(run(env, "request", "list", "--json").stdout)) == 1


# --- the outbox survives a killed server ------------------------------------------------------------


@pytest.fixture
def smtp() -> Iterator[Inbox]:
    inbox = Inbox(port=free_port())
    controller = Controller(inbox, hostname="127.0.0.1", port=inbox.port)
    controller.start()
    yield inbox
    controller.stop()


def serve(env: dict[str, str], port: int, *flags: str) -> subprocess.Popen[str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "privacyops", "serve", "--port", str(port), *flags],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    deadline = time.monotonic() + 60
    while True:
        assert process.poll() is None, process.communicate()[0]
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                return process
        except httpx.TransportError:
            pass
        assert time.monotonic() < deadline, "serve did not come up"
        time.sleep(0.2)


def outbox_states(db_url: str) -> list[str]:
    engine = db.make_engine(db_url)
    with engine.connect() as conn:
        states = list(conn.execute(sa.text("SELECT state FROM outbox_messages ORDER BY id")).scalars())
    engine.dispose()
    return states


def test_killing_the_server_before_the_send_loses_neither_request_nor_acknowledgement(
    env: dict[str, str], smtp: Inbox, db_url: str
) -> None:
    env = {**env, "PRIVACYOPS_SMTP_HOST": "127.0.0.1", "PRIVACYOPS_SMTP_PORT": str(smtp.port)}
    port = free_port()
    # No worker: the request is received and committed, the messages wait to be sent.
    first = serve(env, port, "--no-worker-in-process")
    body = {"type": "access", "identities": {"email": "ada@example.com"}, "regions": ["eu"]}
    created = httpx.post(f"http://127.0.0.1:{port}/api/v1/requests", json=body, timeout=30)
    assert created.status_code == 201
    first.send_signal(signal.SIGKILL)
    first.communicate(timeout=30)
    assert smtp.messages == []
    assert outbox_states(db_url) == ["pending", "pending"]

    second = serve(env, port)
    try:
        smtp.wait_for(2, timeout=90)
        time.sleep(1.5)
        assert outbox_states(db_url) == ["sent", "sent"]
        status = httpx.get(
            f"http://127.0.0.1:{port}/api/v1/requests/{created.json()['id']}/status", timeout=10
        )
        assert status.json()["state"] == "awaiting_verification"
    finally:
        second.send_signal(signal.SIGINT)
        second.communicate(timeout=30)
    assert len(smtp.messages) == 2
    assert {str(m["To"]) for m in smtp.messages} == {"ada@example.com"}
    assert len({m["Message-ID"] for m in smtp.messages}) == 2
