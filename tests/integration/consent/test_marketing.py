"""Marketing mail: one-click unsubscribe (RFC 8058), the export and suppression list, transactional mail."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from privacyops.consent import links as tokens
from privacyops.consent import marketing, subjects
from tests.integration.consent.conftest import ADMIN, SECRET, Cli

STAYS, LEAVES = "stays@example.com", "leaves@example.org"
ONE_CLICK = {"List-Unsubscribe": "One-Click"}


def _subscribe(client: TestClient, address: str, list_name: str = "product-news") -> None:
    answer = client.post(
        "/api/v1/consent/receipts",
        headers=ADMIN,
        json={
            "subject": [f"email:{address}"],
            "purpose": "marketing_communications",
            "granted": True,
            "notice_version": "2026-03-26",
            "method": "form",
            "channel": "web",
            "scope": list_name,
        },
    )
    assert answer.status_code == 201, answer.text


def _mail(app: FastAPI, address: str, base: str, list_name: str = "product-news") -> httpx.Headers:
    subject = subjects.parse(SECRET.encode(), [f"email:{address}"])
    with app.state.services.sessions() as session:
        message = marketing.marketing_message(
            session,
            app.state.services.manifest.manifest,
            subject,
            secret=SECRET.encode(),
            public_url=base,
            list_name=list_name,
            sender="news@langfuse.example",
            title="What's new",
            body="Hello",
            now=datetime.now(UTC),
        )
    return httpx.Headers(dict(message.items()))


def _csv(output: str) -> dict[str, str]:
    return {row["email"]: row["reason"] for row in csv.DictReader(io.StringIO(output))}


@pytest.mark.req("MK-1", "MK-2")
def test_one_click_unsubscribe_suppresses_and_transactional_mail_still_goes(
    app: FastAPI, client: TestClient, live_server: str, cli: Cli
) -> None:
    _subscribe(client, STAYS)
    _subscribe(client, LEAVES)
    headers = _mail(app, LEAVES, live_server)
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = headers["List-Unsubscribe"].strip("<>")
    assert link.startswith(f"{live_server}/consent/unsubscribe/") and "leaves" not in link

    with httpx.Client() as http:  # a real HTTP client, no cookies, as a mail provider calls it
        shown = http.get(link)
        assert shown.status_code == 200 and "product-news" in shown.text
        assert _mail(app, LEAVES, live_server)["List-Unsubscribe"]  # GET unsubscribed no one
        for _ in range(2):  # repeatable: the second POST records nothing and still answers 200
            done = http.post(link, data=ONE_CLICK)
            assert done.status_code == 200 and "unsubscribed" in done.text
            assert "set-cookie" not in done.headers and not done.is_redirect
        forged = http.post(link[:-4] + ("AAAA" if not link.endswith("AAAA") else "BBBB"), data=ONE_CLICK)
        assert forged.status_code == 404 and "not issued by us" in forged.text
    with pytest.raises(marketing.NotMarketable):
        _mail(app, LEAVES, live_server)
    lookup = client.get("/api/v1/consent/lookup", headers=ADMIN, params={"subject": f"email:{LEAVES}"}).json()
    assert [(r["method"], r["granted"]) for r in lookup["receipts"]] == [
        ("unsubscribe", False),
        ("form", True),
    ]

    exported = cli(["consent", "marketing-export", "--list", "product-news"])
    assert exported.exit_code == 0, exported.output
    assert _csv(exported.output) == {STAYS: "consent"}
    suppressed = cli(["consent", "suppression", "--list", "product-news"])
    assert _csv(suppressed.output) == {LEAVES: "withdrawn"}
    # A password reset is transactional: built without the headers and never held back.
    reset = marketing.build_message(
        sender="no-reply@langfuse.example",
        to=LEAVES,
        subject="Reset your password",
        body="Use this link",
        unsubscribe_url=None,
    )
    assert reset["To"] == LEAVES and reset["List-Unsubscribe"] is None
    subject = subjects.parse(SECRET.encode(), [f"email:{LEAVES}"])
    with app.state.services.sessions() as session:
        from privacyops.consent import decide

        assert decide.can_process(
            session, subject, "account_management", manifest=app.state.services.manifest.manifest
        ).allowed


def test_unsubscribe_tokens_refuse_forgery_and_expiry() -> None:
    now = datetime(2026, 12, 1, tzinfo=UTC)
    digest = subjects.identity_key(b"k" * 32, "email", "a@example.com")
    token = tokens.issue(b"k" * 32, digest, "news", now=now)
    assert tokens.read(b"k" * 32, token, now=now) == tokens.Unsubscribe(digest, "news", tokens._day(now))
    for bad in (token[:-2], "not-a-token", tokens.issue(b"x" * 32, digest, "news", now=now)):
        with pytest.raises(tokens.BadToken):
            tokens.read(b"k" * 32, bad, now=now)
    with pytest.raises(tokens.BadToken, match="older than"):
        tokens.read(b"k" * 32, token, now=now + timedelta(days=tokens.VALID_DAYS + 1))


@pytest.mark.req("MK-2")
def test_a_marketing_opt_out_is_a_right_everywhere_without_verification(client: TestClient) -> None:
    for region in ("us-ca", "eu", "ca"):
        answer = client.post(
            "/api/v1/requests",
            json={
                "type": "marketing_opt_out",
                "identities": {"email": f"opt-out-{region}@example.com"},
                "regions": [region],
            },
        )
        assert answer.status_code == 201, answer.text
        assert answer.json()["state"] == "verified" and answer.json()["response_due"], region


def test_contact_addresses_are_sealed_and_survive_a_key_rotation(app: FastAPI, client: TestClient) -> None:
    from privacyops.store import rotation

    _subscribe(client, STAYS)
    engine = app.state.services.engine
    with engine.connect() as conn:
        stored = conn.exec_driver_sql("SELECT value FROM consent_contacts").scalar_one()
    assert STAYS not in stored
    rotation.rotate(engine, batch_size=10)
    with app.state.services.sessions() as session:
        found = list(marketing.contacts(session, app.state.services.manifest.manifest, "product-news"))
    assert [(c.address, c.decision.allowed) for c in found] == [(STAYS, True)]
