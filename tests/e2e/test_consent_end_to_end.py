"""Consent through the running service: ``serve`` and a separate ``worker`` as subprocesses, Chromium.

A visitor with Global Privacy Control accepts all cookies on the sample host page and the decision API
still denies targeting; a subscriber's marketing opt-out request goes through the worker and turns the
marketing decision to deny; no identity reaches the processes' logs.
"""

from __future__ import annotations

import json
import urllib.parse
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import MailSource, Service, wait_until

GPC_IN_PAGE = "Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', {get: () => true});"
SUBSCRIBER = "subscriber.e2e@example.com"
MARKETING = "marketing_communications"


def _decision(service: Service, subject: str, purpose: str) -> dict[str, Any]:
    with service.api() as api:
        answer = api.get("/decisions", params={"subject": subject, "purpose": purpose})
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


@pytest.mark.req("OS-1", "OS-2", "CN-5", "RR-3", "MK-2")
@pytest.mark.parametrize("running", ["serve+worker"], indirect=True)
def test_gpc_visitor_and_marketing_opt_out_through_the_service(
    browser: Any, running: tuple[Service, MailSource]
) -> None:
    service, _mail = running
    context = browser.new_context(extra_http_headers={"Sec-GPC": "1"})
    context.add_init_script(GPC_IN_PAGE)
    page = context.new_page()
    page.goto(f"{service.base}/consent/example")
    with page.expect_response(
        lambda r: (
            r.url.endswith("/consent/choices")
            and r.request.post_data
            and '"analytics":true' in r.request.post_data
        )
    ) as answer:
        page.click("#privacyops-banner [data-action=accept]")
    assert answer.value.status == 200
    page.wait_for_selector("[data-ran=analytics]")
    assert page.locator("[data-ran=marketing], [data-ran=targeting]").count() == 0
    cookie = next(c for c in context.cookies() if c["name"] == "privacyops_consent")
    visitor = json.loads(urllib.parse.unquote(cookie["value"]))["visitor"]
    context.close()
    assert _decision(service, f"visitor:{visitor}", "cookies.targeting")["code"] == "gpc_opt_out"
    assert _decision(service, f"visitor:{visitor}", "cookies.analytics")["allowed"] is True

    with service.api() as api:
        subscribed = api.post(
            "/consent/receipts",
            json={
                "subject": [f"email:{SUBSCRIBER}"],
                "purpose": MARKETING,
                "granted": True,
                "notice_version": "2026-03-26",
            },
        )
        assert subscribed.status_code == 201, subscribed.text
        assert _decision(service, f"email:{SUBSCRIBER}", MARKETING)["allowed"] is True
    # Filed by the subject, with no token: a marketing opt-out needs no verification.
    filed = httpx.post(
        f"{service.base}/api/v1/requests",
        timeout=30,
        json={"type": "marketing_opt_out", "identities": {"email": SUBSCRIBER}, "regions": ["us-ca"]},
    )
    assert filed.status_code == 201, filed.text
    wait_until(
        lambda: _decision(service, f"email:{SUBSCRIBER}", MARKETING)["code"] == "objection",
        "the worker to record the marketing objection",
        timeout=90,
    )
    logs = service.log_text()
    assert SUBSCRIBER not in logs and visitor not in logs
