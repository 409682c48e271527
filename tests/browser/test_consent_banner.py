"""The consent banner in real Chromium on the sample host page: nothing before a choice, one click to
accept or to reject, no re-prompt after an opt-out, and Global Privacy Control keeping marketing off."""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from privacyops.api.app import create_app
from privacyops.examples import LANGFUSE_MANIFEST
from privacyops.settings import Settings
from privacyops.store import db
from tests.integration.conftest import serving

GPC_IN_PAGE = "Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', {get: () => true});"


@pytest.fixture
def served(db_url: str, tmp_path: Path) -> Iterator[str]:
    db.upgrade(db_url)
    settings = Settings(
        database_url=db_url,
        home=tmp_path / "home",
        manifest=LANGFUSE_MANIFEST,
        admin_token="po_browser_admin_token",
        secret_key="banner-test-secret-key-0123456789",
        worker_in_process=False,
        queue_url="memory://",
    )
    with serving(create_app(settings)) as url:
        yield url


def _open(browser: Any, url: str, **options: Any) -> tuple[Any, Any]:
    context = browser.new_context(**options)
    page = context.new_page()
    page.goto(f"{url}/consent/example")
    page.wait_for_selector("#privacyops-banner")
    return context, page


def _choose(page: Any, action: str) -> int:
    """Click the banner's button once and wait until the choice is stored; returns the clicks used."""
    with page.expect_response(lambda r: r.url.endswith("/consent/choices")) as answer:
        page.click(f"#privacyops-banner [data-action={action}]")
    assert answer.value.status == 200
    assert page.locator("#privacyops-banner").count() == 0
    return 1


def _ran(page: Any) -> set[str]:
    return set(page.eval_on_selector_all("[data-ran]", "items => items.map(i => i.dataset.ran)"))


def _cookies(context: Any) -> set[str]:
    return {c["name"] for c in context.cookies()}


@pytest.mark.req("CN-5", "OS-6", "CN-2")
def test_reject_is_as_easy_as_accept_and_nothing_runs_before_a_choice(browser: Any, served: str) -> None:
    rejecting, page = _open(browser, served)
    assert _cookies(rejecting) == set() and _ran(page) == set()
    assert page.is_visible("[data-action=reject]") and page.is_visible("[data-action=accept]")
    reject_clicks = _choose(page, "reject")
    assert _cookies(rejecting) == {"privacyops_consent"} and _ran(page) == set()
    page.reload()
    page.wait_for_selector("#privacyops-reopen")
    assert page.locator("#privacyops-banner").count() == 0  # no re-prompt after the opt-out (OS-6)
    # Even a new notice version does not ask again within twelve months of the opt-out.
    (cookie,) = rejecting.cookies()
    state = json.loads(urllib.parse.unquote(cookie["value"]))
    state["v"] = "an-older-version"
    rejecting.add_cookies([{**cookie, "value": urllib.parse.quote(json.dumps(state))}])
    page.reload()
    page.wait_for_selector("#privacyops-reopen")
    assert page.locator("#privacyops-banner").count() == 0
    rejecting.close()

    accepting, page = _open(browser, served)
    accept_clicks = _choose(page, "accept")
    page.wait_for_selector("[data-ran=marketing]")
    assert _ran(page) == {"analytics", "marketing", "targeting"}
    assert {"sample_analytics", "sample_marketing"} <= _cookies(accepting)
    # Withdrawing takes the same one click on the reopened banner (CN-2).
    page.click("#privacyops-reopen")
    assert _choose(page, "reject") == accept_clicks == reject_clicks == 1
    accepting.close()


@pytest.mark.req("OS-1", "OS-2", "OS-3")
def test_with_gpc_no_marketing_script_runs_and_the_status_is_shown(
    browser: Any, served: str, db_url: str
) -> None:
    context = browser.new_context(extra_http_headers={"Sec-GPC": "1"})
    context.add_init_script(GPC_IN_PAGE)
    page = context.new_page()
    page.goto(f"{served}/consent/example")
    page.wait_for_selector("#privacyops-banner [data-role=gpc-status]")
    assert "honoured" in page.inner_text("#privacyops-signal-status")
    _choose(page, "accept")
    page.wait_for_selector("[data-ran=analytics]")
    assert _ran(page) == {"analytics"}
    assert not {"sample_marketing", "sample_targeting"} & _cookies(context)
    context.close()
    engine = db.make_engine(db_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                sa.text("SELECT purpose, granted FROM consent_receipts WHERE signal = 'gpc'")
            ).all()
    finally:
        engine.dispose()
    assert [(purpose, bool(granted)) for purpose, granted in rows] == [("sale_share", False)]
