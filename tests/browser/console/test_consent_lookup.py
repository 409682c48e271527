"""The console's consent lookup in Chromium: a subject's decisions and receipt history by one identity."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from privacyops.consent import ledger, service, subjects
from privacyops.consent import purposes as cpurposes
from privacyops.manifest.load import load_manifest
from tests.browser.console.conftest import Console, sign_in

EMAIL = "consent.lookup@example.com"


def test_a_viewer_looks_up_a_subjects_consent(page: Any, console: Console) -> None:
    manifest = load_manifest(console.settings.manifest)
    subject = subjects.parse(service.identity_key(console.settings), [f"email:{EMAIL}"])
    with console.sessions()() as session:
        for granted in (True, False):
            entry = ledger.Entry(
                purpose="marketing_communications",
                granted=granted,
                notice_version="2026-03-26",
                method="form",
                channel="web",
            )
            ledger.record(
                session, cpurposes.catalog(manifest), subject, entry, actor="test", now=datetime.now(UTC)
            )
        session.commit()
    sign_in(page, console, "viewer", next_path="/admin/consent")
    page.fill("#f-subject", f"email:{EMAIL}")
    page.click("#lookup")
    page.wait_for_selector("#consent-receipts")
    row = page.locator("#consent-decisions tr[data-purpose=marketing_communications]")
    assert "withdrawn" in row.inner_text() and "deny" in row.inner_text()
    assert page.locator("#consent-receipts tbody tr").count() == 2
    page.fill("#f-subject", "nonsense")
    page.click("#lookup")
    page.wait_for_selector("#problem")
    assert "kind:value" in page.inner_text("#problem")
