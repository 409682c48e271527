"""Recipient tasks closed over HTTP: a waiting erasure completes once every recipient has answered."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from privacyops.api.app import create_app
from privacyops.examples import LANGFUSE_MANIFEST
from privacyops.execution import runner
from privacyops.settings import Settings
from tests.integration.execution.conftest import SECRET, Setup

TOKEN = "po_recipient_tasks_admin_token"
ADMIN = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def client(setup: Setup, tmp_path: Path) -> TestClient:
    settings = Settings(database_url=setup.store_url, home=tmp_path / "home", manifest=LANGFUSE_MANIFEST,
                        admin_token=TOKEN, worker_in_process=False, queue_url="memory://",
                        secret_key=SECRET.decode())  # the deployment that sealed the setup's requests
    return TestClient(create_app(settings))


@pytest.mark.req("ER-1")
def test_closing_every_task_over_http_lets_the_erasure_complete(setup: Setup, client: TestClient) -> None:
    request_id = setup.submit("erasure")
    with setup.sessions.begin() as session:
        runner.start(session, setup.env, request_id, actor="test")
    assert runner.run_request(setup.sessions, setup.env, request_id).status == "waiting"
    assert client.get(f"/api/v1/requests/{request_id}/tasks").status_code == 401

    tasks = client.get(f"/api/v1/requests/{request_id}/tasks", headers=ADMIN).json()
    assert tasks and {t["state"] for t in tasks} == {"open"}
    assert all(t["action"] == "erase" and t["categories"] for t in tasks)

    refused = client.post(f"/api/v1/requests/{request_id}/tasks/{tasks[0]['id']}/close", headers=ADMIN,
                          json={"state": "open", "evidence": "x"})
    assert refused.status_code == 422
    missing = client.post(f"/api/v1/requests/{request_id}/tasks/999999/close", headers=ADMIN,
                          json={"state": "done", "evidence": "x"})
    assert missing.status_code == 404 and missing.json()["detail"]["field"] == "task_id"

    first, *rest = tasks
    answer = client.post(f"/api/v1/requests/{request_id}/tasks/{first['id']}/close", headers=ADMIN,
                         json={"state": "impossible", "evidence": "the recipient keeps no copy"})
    assert answer.status_code == 200 and answer.json()["reason"] == "the recipient keeps no copy"
    for task in rest:
        closed = client.post(f"/api/v1/requests/{request_id}/tasks/{task['id']}/close", headers=ADMIN,
                             json={"state": "done", "evidence": "confirmed by the recipient's support"})
        assert closed.json()["state"] == "done" and closed.json()["closed_by"] == "bootstrap-admin"

    report = runner.run_request(setup.sessions, setup.env, request_id)
    assert report.status == "partially_completed", report
    detail = client.get(f"/api/v1/requests/{request_id}", headers=ADMIN).json()
    assert detail["state"] == "partially_completed"
