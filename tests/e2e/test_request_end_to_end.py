"""A request from the privacy-center form to ``completed``, carried only by the running service.

``serve`` and a separate ``worker`` run as subprocesses (on SQLite, and on PostgreSQL with the queue in
PostgreSQL too); a person uses the form in Chromium and reads the code from their mail; an admin
approves the erasure and closes the recipients' tasks over the API; nobody calls ``request run``.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from typing import Any

import httpx
import pytest

from privacyops.demo import truth
from tests import support
from tests.e2e.conftest import ADMIN_TOKEN, MailSource, Service, code_for, wait_until

ACCESS_SUBJECT = "subject1@example.com"
ERASURE_SUBJECT = "subject2@example.com"
DONE = ("completed", "partially_completed")


def file_through_the_form(page: Any, service: Service, request_type: str, address: str) -> str:
    page.goto(f"{service.base}/privacy/request")
    page.select_option("#type", request_type)
    page.fill("#email", address)
    page.select_option("#region", "eu")
    page.click("#send")
    page.wait_for_selector("#state[data-state='awaiting_verification']")
    return str(page.inner_text("#request-id")).strip()


def verify_with_the_mailed_code(page: Any, service: Service, mailbox: MailSource, request_id: str,
                                address: str) -> str:
    code = wait_until(lambda: code_for(mailbox.texts_to(address)), f"the code mailed to {address}")
    page.goto(f"{service.base}/privacy/requests/{request_id}")
    page.fill("#code", code)
    page.click("#verify")
    page.wait_for_selector("#state:not([data-state='awaiting_verification'])")
    return str(code)


def state_of(service: Service, request_id: str) -> str:
    answer = httpx.get(f"{service.base}/api/v1/requests/{request_id}/status", timeout=10)
    return str(answer.json()["state"])


def download_link(mailbox: MailSource, address: str) -> str | None:
    for _subject, text in mailbox.texts_to(address):
        found = re.search(r"(http://\S+/api/v1/packages/\S+)", text)
        if found:
            return found.group(1)
    return None


def close_recipient_tasks(api: httpx.Client, request_id: str) -> int:
    tasks = api.get(f"/requests/{request_id}/tasks").json()
    for task in tasks:
        if task["state"] == "open":
            closed = api.post(f"/requests/{request_id}/tasks/{task['id']}/close",
                              json={"state": "done", "evidence": "the recipient confirmed the erasure"})
            assert closed.status_code == 200, closed.text
    return len(tasks)


@pytest.mark.req("INT-1", "ER-1", "AC-1")
def test_form_to_completed_through_the_running_service(page: Any,
                                                       running: tuple[Service, MailSource]) -> None:
    service, mailbox = running
    owned = truth.ground_truth(service.app_db_url, "u_2")
    others_before = truth.checksums(service.app_db_url, exclude=owned)
    access_id = file_through_the_form(page, service, "access", ACCESS_SUBJECT)
    erasure_id = file_through_the_form(page, service, "erasure", ERASURE_SUBJECT)
    codes = [verify_with_the_mailed_code(page, service, mailbox, access_id, ACCESS_SUBJECT),
             verify_with_the_mailed_code(page, service, mailbox, erasure_id, ERASURE_SUBJECT)]

    with service.api() as api:
        wait_until(lambda: state_of(service, erasure_id) == "awaiting_approval", "the erasure's approval")
        approved = api.post(f"/requests/{erasure_id}/approve", json={"note": "identity and scope checked"})
        assert approved.status_code == 200, approved.text
        wait_until(lambda: state_of(service, access_id) == "completed", "the access request to complete")
        wait_until(lambda: close_recipient_tasks(api, erasure_id), "the erasure's recipient tasks")
        wait_until(lambda: state_of(service, erasure_id) in DONE, "the erasure to complete")
        assert state_of(service, erasure_id) == "completed"
        trail = {"entity": "subject_request", "entity_id": erasure_id}
        events = api.get("/audit/events", params=trail).json()
        actions = {event["action"] for event in events}
        assert {"request.received", "request.transition", "execution.started", "execution.step"} <= actions

    link = wait_until(lambda: download_link(mailbox, ACCESS_SUBJECT), "the mail with the download link")
    package = httpx.get(link, timeout=30)
    assert package.status_code == 200 and package.headers["content-type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(package.content)) as archive:
        data = json.loads(archive.read("data.json"))
    assert ACCESS_SUBJECT in json.dumps(data)
    assert ERASURE_SUBJECT not in json.dumps(data)

    assert set(truth.identity_matches(service.app_db_url, [ERASURE_SUBJECT])) <= {"billing_customers"}
    assert truth.checksums(service.app_db_url, exclude=owned) == others_before

    logs = service.log_text()
    assert "Uvicorn running" in logs, "the processes' output was not captured"
    # Every process's output, the access log included: no code, token, id or address of anyone.
    support.assert_no_secrets(logs, [*codes, link.rsplit("/", 1)[1], access_id, erasure_id,
                                     ACCESS_SUBJECT, ERASURE_SUBJECT, ADMIN_TOKEN])
