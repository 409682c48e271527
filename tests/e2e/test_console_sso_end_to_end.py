"""Single sign-on as an operator sets it up: ``privacyops serve`` configured by environment variables.

The test's OpenID provider (tests/oidc_provider.py) runs on 127.0.0.1; Chromium clicks "Sign in with
Corp ID" on the served console, goes through the provider and lands in the console with the role the
rules give; a person the rules do not name is refused. The service's log names neither of them.
"""

from __future__ import annotations

import signal
from pathlib import Path
from typing import Any

import pytest

from privacyops.examples import LANGFUSE_MANIFEST
from tests import support
from tests.e2e.conftest import Service, _base_env, cli, start, wait_healthy
from tests.integration.conftest import serving
from tests.oidc_provider import CLIENT_ID, CLIENT_SECRET, OidcProvider

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_an_operator_turns_single_sign_on_on_and_people_sign_in_through_it(
    page: Any, db_url: str, tmp_path: Path
) -> None:
    provider = OidcProvider()
    port = support.free_port()
    provider.redirect_uri = f"http://127.0.0.1:{port}/admin/sso/callback"
    with serving(provider.app()) as issuer:
        provider.issuer = issuer
        env = _base_env(db_url, "", tmp_path, port)
        env.update(
            PRIVACYOPS_MANIFEST=str(LANGFUSE_MANIFEST),
            PRIVACYOPS_CONSOLE_OIDC_ISSUER=issuer,
            PRIVACYOPS_CONSOLE_OIDC_CLIENT_ID=CLIENT_ID,
            PRIVACYOPS_CONSOLE_OIDC_CLIENT_SECRET=CLIENT_SECRET,
            PRIVACYOPS_CONSOLE_OIDC_NAME="Corp ID",
            PRIVACYOPS_CONSOLE_OIDC_ROLES="@corp.example=viewer,group:privacy-team=reviewer",
        )
        cli("db", "upgrade", env=env)
        log = tmp_path / "serve.log"
        service = Service(f"http://127.0.0.1:{port}", env, "", db_url, [log])
        service.processes.append(start(["serve"], env, log))
        try:
            wait_healthy(service)
            provider.identity = {"sub": "ola-7", "email": "ola@corp.example", "groups": ["privacy-team"]}
            page.goto(f"{service.base}/admin/requests")
            page.click("text=Sign in with Corp ID")
            page.wait_for_url(f"{service.base}/admin/requests")
            assert page.inner_text("form.who .role") == "reviewer"

            page.context.clear_cookies()
            provider.identity = {"sub": "zed-3", "email": "zed@elsewhere.example"}
            page.goto(f"{service.base}/admin/sign-in")
            page.click("text=Sign in with Corp ID")
            page.wait_for_selector("[role=alert]")
            assert "not given a console role" in page.inner_text("[role=alert]")
        finally:
            for process in service.processes:
                support.stop_process(process, signal.SIGTERM)
    listed = cli("console", "user", "list", env=env).stdout
    assert "ola" in listed and "reviewer" in listed and "(single sign-on)" in listed
    assert "zed" not in listed
    support.assert_no_secrets(
        service.log_text(), ["ola@corp.example", "zed@elsewhere.example", "ola-7", "zed-3", CLIENT_SECRET]
    )
