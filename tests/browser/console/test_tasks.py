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


def test_close_with_a_confirmation_file_and_download_it_from_the_request(
    page: Any, console: Console, tmp_path: Path
) -> None:
    erasure = console.requests["erasure"]
    sign_in(page, console, "reviewer", next_path="/admin/tasks")
    page.goto(f"{console.base}/admin/tasks?request={erasure}")
    page.click("#task-queue tbody td:nth-child(2) a >> nth=0")
    disguised = tmp_path / "confirmation.pdf"
    disguised.write_bytes(b"<html><script>alert(1)</script></html>")
    page.fill("#evidence", "confirmed by e-mail, attached")
    page.set_input_files("#evidence-file", str(disguised))
    page.click("#close-task")
    assert "file:" in page.inner_text("#task-error") and page.inner_text("#task-state") == "open"
    confirmation = tmp_path / "mixpanel reply.eml"
    confirmation.write_bytes(b"From: privacy@recipient.example\r\nSubject: Done\r\n\r\nErased.\r\n")
    page.fill("#evidence", "confirmed by e-mail, attached")
    page.set_input_files("#evidence-file", str(confirmation))
    page.click("#close-task")
    page.wait_for_selector("[role=status]")
    page.goto(f"{console.base}/admin/requests/{erasure}")
    link = page.locator("#evidence-files a[download]")
    assert link.inner_text() == "mixpanel reply.eml"
    with page.expect_download() as download:
        link.click()
    saved = tmp_path / "downloaded.eml"
    download.value.save_as(str(saved))
    assert saved.read_bytes() == confirmation.read_bytes()
    page.context.clear_cookies()
    sign_in(page, console, "viewer", next_path=f"/admin/requests/{erasure}")
    assert page.locator("#evidence-files a[download]").count() == 0
    assert "mixpanel reply" not in page.inner_text("#evidence-files")


def test_bulk_close_the_ticked_tasks_of_a_request(page: Any, console: Console) -> None:
    erasure = console.requests["erasure"]
    sign_in(page, console, "viewer", next_path="/admin/tasks")
    page.goto(f"{console.base}/admin/tasks?request={erasure}")
    assert page.locator("#task-queue tbody tr").count() > 3
    assert page.locator("#bulk-close input[name=task]").count() == 0  # a viewer cannot close
    page.context.clear_cookies()
    sign_in(page, console, "reviewer", next_path="/admin/tasks")
    page.goto(f"{console.base}/admin/tasks?request={erasure}")
    boxes = page.locator("#bulk-close input[name=task]")
    before = boxes.count()
    assert before > 3
    ids = [boxes.nth(i).get_attribute("value") for i in range(3)]
    forged = page.request.post(f"{console.base}/admin/tasks/close",
                               form={"task": ids[0], "state": "done", "evidence": "no token"})
    assert forged.status == 403  # CSRF: a form without the session's token changes nothing
    for i in range(3):
        boxes.nth(i).check()
    page.fill("#bulk-evidence", "the recipients confirmed together on ticket 5120")
    page.click("#close-ticked")
    page.wait_for_selector("[role=status]")
    page.goto(f"{console.base}/admin/tasks?request={erasure}")
    assert page.locator("#bulk-close input[name=task]").count() == before - 3
    with console.sessions()() as session:
        closed = session.execute(
            sa.text("SELECT entity_id FROM audit_events WHERE action = 'recipient_task.done'"
                    " AND actor = 'console:reviewer'")
        ).scalars().all()
    assert set(ids) <= set(closed)
