"""``/api/v1/docs`` in real Chromium with every request off this machine blocked: the operations show."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from privacyops.api.app import create_app
from privacyops.examples import LANGFUSE_MANIFEST
from privacyops.settings import Settings
from privacyops.store import db
from tests.integration.conftest import serving

pytestmark = pytest.mark.browser


@pytest.fixture
def served(db_url: str, tmp_path: Path) -> Iterator[str]:
    db.upgrade(db_url)
    settings = Settings(database_url=db_url, home=tmp_path / "home", manifest=LANGFUSE_MANIFEST,
                        admin_token="po_browser_docs_token", worker_in_process=False)
    with serving(create_app(settings)) as url:
        yield url


def test_api_docs_work_without_internet(page: Any, served: str) -> None:
    blocked: list[str] = []
    local: list[str] = []

    def only_this_machine(route: Any) -> None:
        url = route.request.url
        if urlsplit(url).hostname == "127.0.0.1":
            local.append(url)
            route.continue_()
        else:
            blocked.append(url)
            route.abort()

    page.route("**/*", only_this_machine)
    page.goto(f"{served}/api/v1/docs")
    page.wait_for_selector(".opblock", timeout=20_000)
    summaries = page.locator(".opblock-summary-path").all_inner_texts()
    assert "/api/v1/requests" in summaries and "/healthz" in summaries
    assert page.locator(".opblock").count() >= 25
    assert any(url.endswith("/static/vendor/swagger-ui/swagger-ui-bundle.js") for url in local)
    assert blocked == []  # nothing on the page asks for another host
