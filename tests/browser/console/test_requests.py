"""The request queue and a request's page in Chromium: urgency order, filters, approve, deny, extend."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from tests.browser.console.conftest import Console, sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def reviewer(page: Any, console: Console) -> Any:
    sign_in(page, console, "reviewer", next_path="/admin/requests")
    return page


def test_the_queue_puts_the_most_urgent_first_and_filters(
    reviewer: Any, console: Console, screenshot: Callable[[Any, str], Path]
) -> None:
    page = reviewer
    with console.sessions().begin() as session:  # one request is overdue
        session.execute(
            sa.text("UPDATE subject_requests SET response_due = '2020-01-02' WHERE id = :id"),
            {"id": console.requests["portability"]},
        )
    page.reload()
    rows = page.locator("#queue tbody tr")
    assert rows.first.get_attribute("data-request") == console.requests["portability"]
    assert rows.first.get_attribute("data-urgency") == "late"
    assert "d late" in rows.first.inner_text()
    screenshot(page, "console-requests")
    page.select_option("#f-type", "erasure")
    page.click("#apply-filters")
    shown = {row.get_attribute("data-request") for row in page.locator("#queue tbody tr").all()}
    assert shown == {console.requests["erasure"], console.requests["to_approve"]}
    page.select_option("#f-type", "")
    page.select_option("#f-due", "overdue")
    page.click("#apply-filters")
    assert page.locator("#queue tbody tr").count() == 1


def test_approve_with_a_note_shows_on_the_timeline(
    reviewer: Any, console: Console, screenshot: Callable[[Any, str], Path]
) -> None:
    page = reviewer
    page.click(f"a[href$='{console.requests['to_approve']}']")
    assert page.get_attribute("#state", "data-state") == "awaiting_approval"
    assert "ada@example.com" in page.inner_text("section[aria-labelledby=h-facts]")  # reviewers see it
    screenshot(page, "console-request")
    page.fill("#approve-note", "identity checked")
    page.click("#approve")
    page.wait_for_selector("[role=status]")
    assert page.get_attribute("#state", "data-state") == "in_progress"
    assert "identity checked" in page.inner_text("#timeline")
    assert "console:reviewer" in page.inner_text("#timeline")


def test_deny_and_extend_with_reasons_and_a_refused_move_explained(reviewer: Any, console: Console) -> None:
    page = reviewer
    page.goto(f"{console.base}/admin/requests/{console.requests['to_deny']}")
    page.select_option("#deny-code", "manifestly_unfounded")
    page.fill("#deny-reason", "the request names no data of ours")
    page.click("#deny")
    page.wait_for_selector("[role=status]")
    assert page.get_attribute("#state", "data-state") == "denied"
    assert page.locator("#approve").count() == 0  # a closed request offers no decision
    page.goto(f"{console.base}/admin/requests/{console.requests['to_extend']}")
    page.fill("#extend-reason", "three archived systems must be restored")
    page.click("#extend")
    page.wait_for_selector("[role=status]")
    assert "three archived systems" in page.inner_text("section[aria-labelledby=h-facts]")
    page.click("#approve")  # not verified yet: the state machine refuses, and the page says why
    assert page.get_attribute("#state", "data-state") == "awaiting_verification"
    assert "state" in page.inner_text("#action-error")


def test_an_open_requests_state_follows_the_work_without_a_reload(reviewer: Any, console: Console) -> None:
    page = reviewer
    page.goto(f"{console.base}/admin/requests/{console.requests['portability']}")
    assert page.get_attribute("#state", "data-state") == "awaiting_verification"
    page.evaluate("window.notReloaded = true")
    with console.sessions().begin() as session:  # the worker's part, as far as this page can tell
        session.execute(sa.text("UPDATE subject_requests SET state = 'in_progress' WHERE id = :id"),
                        {"id": console.requests["portability"]})
    page.wait_for_selector("#state[data-state='in_progress']", timeout=15_000)
    assert page.evaluate("window.notReloaded") is True  # htmx swapped the line in; the page stayed
