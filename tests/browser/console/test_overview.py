"""The dashboard, the data map and the audit log in Chromium."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from privacyops.discovery import scans
from privacyops.examples import LANGFUSE_MANIFEST
from privacyops.manifest.load import load_manifest
from tests.browser.console.conftest import Console, sign_in

pytestmark = pytest.mark.browser


def test_the_dashboard_counts_and_charts_the_requests(
    page: Any, console: Console, screenshot: Callable[[Any, str], Path]
) -> None:
    with console.sessions().begin() as session:
        session.execute(
            sa.text("UPDATE subject_requests SET response_due = '2020-01-02' WHERE id = :id"),
            {"id": console.requests["portability"]},
        )
        session.execute(
            sa.text(
                "UPDATE subject_requests SET state = 'completed', closed_at = received_at WHERE id = :id"
            ),
            {"id": console.requests["to_deny"]},
        )
    sign_in(page, console, "viewer", next_path="/admin/dashboard")
    assert page.inner_text("#kpi-open strong") == "4"
    assert page.inner_text("#kpi-overdue strong") == "1"
    assert page.inner_text("#kpi-on-time strong") == "100 %"
    assert page.inner_text("#kpi-median strong") == "0.0"
    assert page.locator("#weekly-chart rect").count() >= 3  # erasure, access and portability this week
    assert "erasure" in page.inner_text("#legend")
    rows = page.locator("#weekly-table tbody tr").all_inner_texts()
    assert len(rows) == 12 and rows[-1].split("\t")[1:] == ["2", "2", "1"]  # access, erasure, portability
    screenshot(page, "console-dashboard")
    page.click("#kpi-overdue a")
    assert page.locator("#queue tbody tr").count() == 1


def test_the_data_map_draws_systems_categories_and_subprocessors(
    page: Any, console: Console, screenshot: Callable[[Any, str], Path]
) -> None:
    sign_in(page, console, "viewer", next_path="/admin/data-map")
    labels = " | ".join(page.locator("#data-map text").evaluate_all("nodes => nodes.map(n => n.textContent)"))
    assert "Systems" in labels and "user.contact.email" in labels and "HubSpot" in labels
    assert page.locator("#data-map path").count() > 20
    assert "HubSpot, Inc." in page.inner_text("#subprocessors")
    assert page.locator("#systems tbody tr").count() >= 3
    assert page.locator("#findings tbody tr").count() >= 1
    screenshot(page, "console-data-map")


@pytest.mark.req("RK-4")
def test_the_audit_log_is_for_reviewers_and_admins_verify_the_chain(
    page: Any, console: Console, screenshot: Callable[[Any, str], Path]
) -> None:
    sign_in(page, console, "viewer")
    assert "Audit log" not in page.locator("nav[aria-label=Console]").inner_text()
    assert page.goto(f"{console.base}/admin/audit").status == 403
    page.click("text=Sign out")
    sign_in(page, console, "reviewer", next_path="/admin/audit")
    assert page.locator("#verify-chain").count() == 0  # verifying is an admin's
    page.select_option("#f-entity", "console_user")
    page.click("#apply-filters")
    assert set(page.locator("#events tbody td:nth-child(4)").all_inner_texts()) >= {"console.user_added"}
    page.click("text=Sign out")
    sign_in(page, console, "admin", next_path="/admin/audit")
    page.click("#verify-chain")
    assert "intact" in page.inner_text("#verify-result")
    screenshot(page, "console-audit")
    with console.sessions().begin() as session:
        session.execute(sa.text("UPDATE audit_events SET actor = 'someone else' WHERE id = 2"))
    page.click("#verify-chain")
    assert "broken at event 2" in page.inner_text("#verify-result")


def test_an_admin_scans_a_system_and_the_data_map_shows_its_drift(
    page: Any, console: Console, screenshot: Callable[[Any, str], Path]
) -> None:
    demo = sa.create_engine(os.environ["APP_DATABASE_URL"])
    with demo.begin() as conn:  # personal data the manifest does not declare
        conn.execute(sa.text("CREATE TABLE support_notes (id INTEGER PRIMARY KEY, reply_to TEXT)"))
        conn.execute(sa.text("INSERT INTO support_notes (reply_to) VALUES (:a)"),
                     [{"a": f"zqcontact{i}@example.org"} for i in range(30)])
    demo.dispose()
    sign_in(page, console, "viewer", next_path="/admin/data-map")
    assert page.locator("#scan-now").count() == 0  # starting a scan is an admin's
    page.click("text=Sign out")
    sign_in(page, console, "admin", next_path="/admin/data-map")
    assert page.locator("#no-scan").count() == 1
    page.select_option("#scan-system", "app_db")
    page.click("#scan-now")
    page.wait_for_selector("[role=status]")
    assert "queued" in page.inner_text("#drift-app_db .scan-state")
    with console.sessions()() as session:
        scan_id = session.execute(sa.text("SELECT max(id) FROM discovery_scans")).scalar_one()
    # What the worker's discovery_scan task does with the id the page queued (no worker runs here).
    assert scans.run(console.sessions(), load_manifest(LANGFUSE_MANIFEST), scan_id).status == "done"
    page.reload()
    assert "done" in page.inner_text("#drift-app_db .scan-state")
    assert "users.email" in str(page.text_content("#drift-app_db .drift-declared"))
    undeclared = page.inner_text("#drift-app_db .drift-undeclared")
    assert "support_notes.reply_to" in undeclared and "EMAIL_ADDRESS 30/30" in undeclared
    assert "zqcontact" not in page.content()  # counts only: no value reaches the page or the store
    with console.sessions()() as session:
        stored = session.execute(sa.text("SELECT columns FROM discovery_scans WHERE id = :i"),
                                 {"i": scan_id}).scalar_one()
    assert "zqcontact" not in str(stored)
    screenshot(page, "console-data-map-drift")
