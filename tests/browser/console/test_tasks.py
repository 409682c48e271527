"""The recipient work queue in Chromium: the message to send, closing as done or impossible."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from tests.browser.console.conftest import Console, sign_in

pytestmark = pytest.mark.browser


def test_work_the_recipient_queue_to_the_end(
    page: Any, console: Console, screenshot: Callable[[Any, str], Path]
) -> None:
    erasure = console.requests["erasure"]
    sign_in(page, console, "reviewer", next_path="/admin/tasks")
    total = page.locator("#task-queue tbody tr").count()
    assert total > 5
    screenshot(page, "console-tasks")
    page.select_option("#f-recipient", "HubSpot")
    page.click("#apply-filters")
    assert page.locator("#task-queue tbody tr").count() == 1
    page.click("#task-queue tbody a >> nth=0")
    message = page.inner_text("#message")
    assert "HubSpot, Inc." in message and erasure in message and "erin@example.com" in message
    screenshot(page, "console-task")
    page.click("#close-task")  # no evidence: the browser asks for it before anything is sent
    assert page.inner_text("#task-state") == "open" and "/close" not in page.url
    page.fill("#evidence", "HubSpot confirmed deletion by email on ticket 4711")
    page.click("#close-task")
    page.wait_for_selector("[role=status]")
    assert page.locator("#task-queue tbody tr").count() == total - 1
    first = page.locator("#task-queue tbody a").first
    first.click()
    page.check("#state-impossible")
    page.fill("#evidence", "the recipient was wound up; no successor holds the data")
    page.click("#close-task")
    page.wait_for_selector("[role=status]")
    page.goto(f"{console.base}/admin/requests/{erasure}")
    tasks = page.inner_text("#tasks")
    assert "ticket 4711" in tasks and "wound up" in tasks
    with console.sessions()() as session:
        actions = session.scalars(
            sa.text(
                "SELECT action FROM audit_events WHERE entity = 'recipient_task'"
                " AND actor = 'console:reviewer'"
            )
        ).all()
    assert sorted(actions) == ["recipient_task.done", "recipient_task.impossible"]


def test_a_viewer_reads_the_queue_but_cannot_close(page: Any, console: Console) -> None:
    sign_in(page, console, "viewer", next_path="/admin/tasks")
    page.click("#task-queue tbody a >> nth=0")
    assert page.locator("#close-task").count() == 0
    assert "erin@example.com" not in page.inner_text("#message")  # the subject's address is for reviewers
