"""The retention page in Chromium: overdue data, legal holds added and released by an admin, sweep runs."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from privacyops.store.models.retention import RetentionRun
from tests.browser.console.conftest import Console, sign_in

pytestmark = pytest.mark.browser


@pytest.mark.req("ER-2")
def test_an_admin_adds_and_releases_a_hold_and_reads_the_runs(
    page: Any, console: Console, screenshot: Callable[[Any, str], Path]
) -> None:
    now = datetime.now(UTC)
    with console.sessions().begin() as session:
        session.add(
            RetentionRun(
                rule="account-after-termination",
                status="done",
                dry_run=False,
                cutoff=now,
                rows={"app_db.users": 2, "app_db.traces": 31},
                held={"subjects": 1},
                report={},
                errors=[],
                started_at=now,
                finished_at=now,
                seconds=0.4,
            )
        )
    sign_in(page, console, "admin", next_path="/admin/retention")
    assert "app_db.traces: 31" in page.inner_text("#runs") and "subjects: 1" in page.inner_text("#runs")
    overdue = page.inner_text("#overdue")
    assert "account-after-termination" in overdue and "app_db.users" in overdue

    page.select_option("#h-scope", "table")
    page.fill("#h-target", "app_db.invoices")
    page.click("#add-hold button[type=submit]")
    assert "reason_code" in page.inner_text("#retention-error")
    page.select_option("#h-scope", "table")
    page.fill("#h-target", "app_db.invoices")
    page.fill("#h-reason", "tax")
    page.click("#add-hold button[type=submit]")
    page.wait_for_selector("[role=status]")
    row = page.locator("#holds tbody tr", has_text="app_db.invoices")
    assert "tax" in row.inner_text()
    screenshot(page, "console-retention")
    row.locator("button").click()
    page.wait_for_selector("[role=status]")
    assert "app_db.invoices" not in page.inner_text("#holds")
    with console.sessions()() as session:
        actions = session.scalars(
            sa.text("SELECT action FROM audit_events WHERE entity = 'retention_hold'")
        ).all()
    assert actions == ["retention.hold_added", "retention.hold_released"]


def test_a_viewer_reads_the_page_but_cannot_change_holds(page: Any, console: Console) -> None:
    sign_in(page, console, "viewer", next_path="/admin/retention")
    assert page.locator("#holds").count() == 1
    assert page.locator("#add-hold").count() == 0
