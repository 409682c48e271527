"""Signing into the console in Chromium through an OpenID provider, and the pause after wrong passwords.

The console runs under uvicorn beside the test's own provider (tests/oidc_provider.py), both on
127.0.0.1; Chromium follows the real redirects between them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from privacyops.api.app import create_app
from privacyops.console import users
from privacyops.settings import Settings
from privacyops.store import db
from tests.integration.conftest import serving
from tests.oidc_provider import CLIENT_ID, CLIENT_SECRET, OidcProvider
from tests.support import free_port

pytestmark = pytest.mark.browser


@dataclass
class Served:
    base: str
    settings: Settings
    provider: OidcProvider


@pytest.fixture(scope="module")
def served(module_db_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    db.upgrade(module_db_url)
    provider = OidcProvider()
    port = free_port()
    with serving(provider.app()) as issuer:
        provider.issuer = issuer
        provider.redirect_uri = f"http://127.0.0.1:{port}/admin/sso/callback"
        settings = Settings(
            database_url=module_db_url,
            home=tmp_path_factory.mktemp("home"),
            secret_key="sso-browser-secret-0123456789abcdef",
            worker_in_process=False,
            queue_url="memory://",
            public_url=f"http://127.0.0.1:{port}",
            console_sign_in_attempts=2,
            console_oidc_issuer=issuer,
            console_oidc_client_id=CLIENT_ID,
            console_oidc_client_secret=CLIENT_SECRET,
            console_oidc_name="Corp ID",
            console_oidc_roles="@corp.example=viewer,ann@corp.example=reviewer",
        )
        with serving(create_app(settings), port=port) as base:
            yield Served(base, settings, provider)


def _click_sso(page: Any, served: Served, **identity: Any) -> None:
    served.provider.identity = identity
    page.goto(f"{served.base}/admin/requests")
    assert "/admin/sign-in" in page.url
    page.click("text=Sign in with Corp ID")


def test_sso_signs_in_with_the_mapped_role(
    page: Any, served: Served, screenshot: Callable[[Any, str], Path]
) -> None:
    page.goto(f"{served.base}/admin/sign-in")
    screenshot(page, "console-sign-in-with-sso")
    _click_sso(page, served, sub="ann-1", email="ann@corp.example", email_verified=True)
    page.wait_for_url(f"{served.base}/admin/requests")
    assert page.inner_text("form.who .role") == "reviewer"
    assert "ann" in page.inner_text("form.who")
    cookie = next(c for c in page.context.cookies() if c["name"] == "po_console")
    assert cookie["httpOnly"] and cookie["path"] == "/admin"
    assert not any(c["name"] == "po_console_sso" for c in page.context.cookies())  # the flow is done


def test_sso_refuses_other_domains_and_users_disabled_in_the_console(page: Any, served: Served) -> None:
    _click_sso(page, served, sub="eve-1", email="eve@elsewhere.example")
    page.wait_for_selector("[role=alert]")
    assert "not given a console role" in page.inner_text("[role=alert]")
    assert "/admin/sso/callback" in page.url and "eve" not in page.url
    _click_sso(page, served, sub="dan-1", email="dan@corp.example")
    page.wait_for_url(f"{served.base}/admin/requests")
    page.context.clear_cookies()
    with db.session_factory(db.engine_for(served.settings))() as session:
        users.disable(session, "dan", actor="test")
        session.commit()
    _click_sso(page, served, sub="dan-1", email="dan@corp.example")
    page.wait_for_selector("[role=alert]")
    assert "disabled" in page.inner_text("[role=alert]")
    assert not any(c["name"] == "po_console" for c in page.context.cookies())


def test_the_page_says_plainly_that_sign_in_is_paused(
    page: Any, served: Served, screenshot: Callable[[Any, str], Path]
) -> None:
    page.goto(f"{served.base}/admin/sign-in")
    for _ in range(2):
        page.fill("#username", "nobody")
        page.fill("#password", "a wrong password")
        page.click("button[type=submit]")
    alert = page.inner_text("[role=alert]")
    assert alert.startswith("Sign-in is paused after too many attempts. Try again in ")
    assert "minutes" in alert
    screenshot(page, "console-sign-in-paused")
