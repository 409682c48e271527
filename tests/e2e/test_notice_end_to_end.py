"""Notice versions through the running service: a customer subscribes in Chromium, confirms from the
mailed link, and hears of a new subprocessor, not of a changed contact address.

``serve`` and a separate ``worker`` run as subprocesses; versions are published with the
``privacyops notice publish`` command as an operator would; mail goes through a real SMTP server.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest

from privacyops.examples import LANGFUSE_MANIFEST
from tests.e2e.conftest import MailSource, Service, cli, wait_until

CUSTOMER = "dpo@customer.example"
NEW_SUBPROCESSOR = (
    "subprocessors:\n  - {name: Mailgun, legal_entity: Mailgun Technologies Inc.,"
    " service: communicate_and_chat, purposes: [marketing_communications],"
    " categories: [user.contact.email], country: BR, transfer: scc}\n"
)
CONTACT = ("privacy_email: legal@langfuse.com", "privacy_email: privacy@langfuse.com")


def _version(tmp_path: Path, label: str, *edits: tuple[str, str]) -> Path:
    text = LANGFUSE_MANIFEST.read_text(encoding="utf-8").replace(
        '  version: "2026-03-26"', f'  version: "{label}"'
    )
    for old, new in edits:
        text = text.replace(old, new, 1)
    path = tmp_path / f"{label}.yml"
    path.write_text(text, encoding="utf-8")
    return path


def _publish(service: Service, path: Path) -> str:
    today = dt.datetime.now(dt.UTC).date().isoformat()
    return cli("notice", "publish", str(path), "--effective", today, env=service.env).stdout


def _link(mailbox: MailSource, subject_words: str) -> str | None:
    for subject, text in mailbox.texts_to(CUSTOMER):
        found = re.search(r"(http://\S+/privacy/subscriptions/\d+/confirm\?token=\w+)", text)
        if subject_words in subject and found:
            return found.group(1)
    return None


@pytest.mark.req("NV-2")
@pytest.mark.parametrize("running", ["serve+worker"], indirect=True)
def test_subscribed_customer_hears_of_a_new_subprocessor_only(
    page: Any, running: tuple[Service, MailSource], tmp_path: Path
) -> None:
    service, mailbox = running
    assert "not material" in _publish(service, _version(tmp_path, "v1"))

    page.goto(f"{service.base}/privacy/subprocessors")
    page.fill("#subscribe-email", CUSTOMER)
    page.click(".subscribe button[type=submit]")
    page.wait_for_selector("text=Check your mailbox")
    link = wait_until(lambda: _link(mailbox, "Confirm your subscription"), "the confirmation link")
    page.goto(link)
    page.click("text=Confirm my subscription")
    page.wait_for_selector("text=Subscription confirmed")

    assert "not material; 0 message(s) queued" in _publish(service, _version(tmp_path, "v2", CONTACT))
    added = _publish(service, _version(tmp_path, "v3", CONTACT, ("subprocessors:\n", NEW_SUBPROCESSOR)))
    assert "MATERIAL; 1 message(s) queued" in added

    def told() -> list[str]:
        return [
            text for subject, text in mailbox.texts_to(CUSTOMER) if "subprocessors is changing" in subject
        ]

    texts = wait_until(told, "the subprocessor change mail")
    assert len(texts) == 1 and "New subprocessor: Mailgun in BR." in texts[0]
    assert "/privacy/subscriptions/" in texts[0] and "/unsubscribe?token=" in texts[0]

    page.goto(f"{service.base}/privacy")
    assert "version v3" in page.inner_text(".notice-header")
    page.click("text=Earlier versions and what changed")
    page.click("text=2 change(s), material")
    assert "New subprocessor: Mailgun in BR." in page.inner_text("main")
