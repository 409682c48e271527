"""Signing into the console in Chromium: passwords, roles, sessions that end, CSRF and the headers."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from privacyops.store.models.console import ConsoleSession, ConsoleUser
from tests.browser.console.conftest import PASSWORD, Console, sign_in

pytestmark = pytest.mark.browser


def test_a_wrong_password_is_refused_and_the_right_one_opens_the_console(
    page: Any, console: Console, screenshot: Callable[[Any, str], Path]
) -> None:
    page.goto(f"{console.base}/admin/requests")
    assert "/admin/sign-in" in page.url  # a page asks for a session before anything else
    assert page.locator("label[for=username]").inner_text() == "User name"
    screenshot(page, "console-sign-in")
    page.fill("#username", "admin")
    page.fill("#password", "not-the-password")
    page.click("button[type=submit]")
    assert "wrong" in page.inner_text("[role=alert]")
    # Keyboard only: the field has focus, tab reaches the password, enter submits.
    page.fill("#username", "admin")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{console.base}/admin/requests")
    cookie = next(c for c in page.context.cookies() if c["name"] == "po_console")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax" and cookie["path"] == "/admin"
    assert not cookie["secure"]  # plain http on 127.0.0.1: production over https sets Secure
    with console.sessions()() as session:
        stored = session.scalars(sa.select(ConsoleSession.token_sha256)).all()
        hashes = session.scalars(sa.select(ConsoleUser.password_hash)).all()
    assert cookie["value"] not in stored and all(h.startswith("$argon2id$") for h in hashes)


def test_roles_decide_what_is_offered_and_what_is_allowed(page: Any, console: Console) -> None:
    sign_in(page, console, "viewer")
    nav = page.locator("nav[aria-label=Console] a").all_inner_texts()
    assert "Requests" in nav and "Audit log" not in nav
    page.goto(f"{console.base}/admin/requests/{console.requests['to_approve']}")
    assert page.locator("#approve").count() == 0  # a viewer is shown no decision
    assert "hidden" in page.inner_text("section[aria-labelledby=h-facts]")  # nor the subject's address
    token = page.locator("input[name=csrf_token]").first.get_attribute("value")
    answer = page.request.post(
        f"{console.base}/admin/requests/{console.requests['to_approve']}/approve",
        form={"csrf_token": token, "note": "sneaky"},
    )
    assert answer.status == 403 and "reviewer role" in answer.text()


def test_forms_need_the_sessions_csrf_token(page: Any, console: Console) -> None:
    sign_in(page, console, "reviewer")
    target = f"{console.base}/admin/requests/{console.requests['to_extend']}/extend"
    answer = page.request.post(target, form={"reason": "posted from elsewhere"})
    assert answer.status == 403 and "Form expired" in answer.text()
    wrong = page.request.post(target, form={"reason": "posted from elsewhere", "csrf_token": "guess"})
    assert wrong.status == 403


def test_a_session_ends_when_idle_and_on_sign_out(page: Any, console: Console) -> None:
    sign_in(page, console, "reviewer")
    with console.sessions().begin() as session:
        session.execute(
            sa.update(ConsoleSession)
            .where(ConsoleSession.ended_at.is_(None))
            .values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )
    page.goto(f"{console.base}/admin/requests")
    assert "/admin/sign-in" in page.url
    sign_in(page, console, "reviewer")
    page.click("text=Sign out")
    page.wait_for_url(f"{console.base}/admin/sign-in")
    page.goto(f"{console.base}/admin/")
    assert "/admin/sign-in" in page.url
    with console.sessions()() as session:
        actions = session.scalars(
            sa.text("SELECT action FROM audit_events WHERE entity = 'console_user'")
        ).all()
    assert {"console.user_added", "console.signed_in", "console.signed_out"} <= set(actions)


def test_pages_carry_the_security_headers(console: Console) -> None:
    for path in ("/admin/sign-in", "/privacy", "/privacy/request"):
        headers = httpx.get(f"{console.base}{path}").headers
        policy = headers["content-security-policy"]
        assert "frame-ancestors 'none'" in policy and "unsafe-inline" not in policy
        assert "script-src 'self'" in policy and headers["x-frame-options"] == "DENY"
        assert "strict-transport-security" not in headers  # plain http, not production
