"""A newcomer's whole path in Chromium, on ``privacyops demo`` run as a subprocess.

File and verify requests in the privacy center, sign into the admin console with the credentials the
demo printed, approve the erasure, close its recipients' tasks from the console with one note, watch it
complete, scan the demo's database from the data map, and download the access package from the
request's page and through the mailed link.
"""

from __future__ import annotations

import io
import re
import signal
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests import support
from tests.e2e.conftest import ADMIN_TOKEN, DemoMailbox, Service, _base_env, code_for, start, wait_healthy
from tests.support import wait_until

ACCESS_SUBJECT = "subject1@example.com"
ERASURE_SUBJECT = "subject2@example.com"
CREDENTIALS = re.compile(r"Admin console:\s+(\S+)\s+user (\S+)\s+password (\S+)")


@pytest.fixture
def demo(db_url: str, make_db_url: Callable[[str], str], tmp_path: Path) -> Iterator[Service]:
    port = support.free_port()
    app_db_url = make_db_url("app")
    env = _base_env(db_url, app_db_url, tmp_path, port)
    service = Service(f"http://127.0.0.1:{port}", env, app_db_url, db_url, [tmp_path / "demo.log"])
    # The smallest demo: its seven named subjects are all this test needs.
    demo_args = ["demo", "--db", app_db_url, "--users", "8", "--traces", "700"]
    service.processes.append(start(demo_args, env, service.logs[0]))
    try:
        wait_healthy(service)
        yield service
    finally:
        for process in service.processes:
            support.stop_process(process, signal.SIGTERM)


def file_and_verify(page: Any, service: Service, kind: str, address: str) -> str:
    page.goto(f"{service.base}/")
    page.click("a[href$='/privacy/request'] >> nth=0")
    page.select_option("#type", kind)
    page.fill("#email", address)
    page.select_option("#region", "eu")
    page.click("#send")
    request_id = str(page.inner_text("#request-id")).strip()
    mailbox = DemoMailbox(service.base)
    code = wait_until(lambda: code_for(mailbox.texts_to(address)), f"the code mailed to {address}")
    page.fill("#code", code)
    page.click("#verify")
    page.wait_for_selector("#state:not([data-state='awaiting_verification'])")
    return request_id


def state_in_console(page: Any, service: Service, request_id: str) -> str:
    page.goto(f"{service.base}/admin/requests/{request_id}")
    return str(page.get_attribute("#state", "data-state"))


def close_every_task(page: Any, service: Service, request_id: str) -> int:
    """Tick every open task of the request and close them with one note; 0 until the run opened them."""
    page.goto(f"{service.base}/admin/tasks?request={request_id}")
    boxes = page.locator("#bulk-close input[name=task]")
    ticked = boxes.count()
    for index in range(ticked):
        boxes.nth(index).check()
    if ticked:
        page.fill("#bulk-evidence", "the recipient confirmed the erasure")
        page.click("#close-ticked")
        page.wait_for_selector("[role=status]")
    return ticked


def scan_state(page: Any, service: Service) -> str:
    page.goto(f"{service.base}/admin/data-map")
    return str(page.inner_text("#drift-app_db .scan-state"))


def mailed_link(page: Any, service: Service) -> str | None:
    """The package link in the demo mailbox, read as the person would read it."""
    page.goto(f"{service.base}/dev/mail")
    found = re.search(r"(http://\S+/api/v1/packages/\S+)", page.inner_text("main"))
    return found.group(1) if found else None


@pytest.mark.req("INT-1", "ER-1", "PC-3")
def test_privacy_center_to_console_to_download(page: Any, demo: Service) -> None:
    access_id = file_and_verify(page, demo, "access", ACCESS_SUBJECT)
    erasure_id = file_and_verify(page, demo, "erasure", ERASURE_SUBJECT)
    console_url, username, password = CREDENTIALS.search(demo.logs[0].read_text()).groups()  # type: ignore[union-attr]

    page.goto(console_url)
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("button[type=submit]")
    page.click("nav >> text=Requests")
    wait_until(
        lambda: state_in_console(page, demo, erasure_id) == "awaiting_approval", "the erasure's approval"
    )
    page.fill("#approve-note", "identity and scope checked")
    page.click("#approve")
    page.wait_for_selector("[role=status]")
    assert "identity and scope checked" in page.inner_text("#timeline")

    wait_until(lambda: close_every_task(page, demo, erasure_id), "the erasure's recipient tasks", timeout=180)
    wait_until(lambda: state_in_console(page, demo, erasure_id) == "completed", "the erasure to complete")
    assert "the recipient confirmed the erasure" in page.inner_text("#tasks")
    wait_until(lambda: state_in_console(page, demo, access_id) == "completed", "the access request")

    # The worker scans the demo's database when an admin asks, and the data map shows the drift.
    page.goto(f"{demo.base}/admin/data-map")
    page.select_option("#scan-system", "app_db")
    page.click("#scan-now")
    wait_until(lambda: "done" in scan_state(page, demo), "the discovery scan")
    assert "users.email" in str(page.text_content("#drift-app_db .drift-declared"))

    # The browser that entered the code downloads the package from the request's page.
    page.goto(f"{demo.base}/privacy/requests/{access_id}")
    with page.expect_download() as from_page:
        page.click("#download-package")
    with zipfile.ZipFile(io.BytesIO(Path(from_page.value.path()).read_bytes())) as archive:
        assert ACCESS_SUBJECT in archive.read("data.json").decode()

    link = wait_until(lambda: mailed_link(page, demo), "the mail with the download link")
    with page.expect_download() as download:
        page.evaluate("url => { const a = document.createElement('a'); a.href = url; a.click(); }", link)
    with zipfile.ZipFile(io.BytesIO(Path(download.value.path()).read_bytes())) as archive:
        data = archive.read("data.json").decode()
    assert ACCESS_SUBJECT in data and ERASURE_SUBJECT not in data

    support.assert_no_secrets(
        demo.log_text(),
        [
            password,
            access_id,
            erasure_id,
            ACCESS_SUBJECT,
            ERASURE_SUBJECT,
            ADMIN_TOKEN,
            link.rsplit("/", 1)[1],
        ],
    )
