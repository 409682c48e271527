"""From the admin's click to the worker: one queued task per ready request, few commits per run."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from privacyops.api.app import create_app
from privacyops.examples import LANGFUSE_MANIFEST
from privacyops.execution import runner, start
from privacyops.execution.steps import StepState, steps_of
from privacyops.requests import records
from privacyops.settings import Settings
from tests.integration.execution.conftest import SECRET, SUBJECT, Setup

TOKEN = "po_dispatch_admin_token_0123456789"
ADMIN = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def client(setup: Setup, tmp_path: Path) -> TestClient:
    settings = Settings(database_url=setup.store_url, home=tmp_path / "home", manifest=LANGFUSE_MANIFEST,
                        admin_token=TOKEN, worker_in_process=False, queue_url="memory://",
                        secret_key=SECRET.decode())
    return TestClient(create_app(settings))


def queued(client: TestClient) -> list[tuple[str, tuple[Any, ...]]]:
    """Take every task waiting in the app's in-memory queue: its name and arguments."""
    huey = client.app.state.services.queue.huey  # type: ignore[attr-defined]
    tasks = []
    while (task := huey.dequeue()) is not None:
        tasks.append((task.name, tuple(task.args)))
    return tasks


def file_request(client: TestClient, kind: str) -> str:
    answer = client.post("/api/v1/requests", json={"type": kind, "identities": SUBJECT, "regions": ["eu"]})
    assert answer.status_code == 201, answer.text
    return str(answer.json()["id"])


def test_marking_verified_queues_the_run_of_that_request_itself(client: TestClient) -> None:
    request_id = file_request(client, "access")
    assert [name for name, _ in queued(client)] == ["requests_send_outbox"]  # not ready: no run yet

    answer = client.post(f"/api/v1/requests/{request_id}/mark-verified", headers=ADMIN,
                         json={"reason": "identity checked by phone"})
    assert answer.status_code == 200, answer.text
    # One hop: the run of this request, ahead of the mail; no sweep task that would queue it later.
    assert queued(client) == [("execution_run_request", (request_id,)), ("requests_send_outbox", ())]


def test_an_erasure_is_queued_on_approval_not_before(client: TestClient) -> None:
    request_id = file_request(client, "erasure")
    queued(client)
    client.post(f"/api/v1/requests/{request_id}/mark-verified", headers=ADMIN, json={"reason": "by phone"})
    assert [name for name, _ in queued(client)] == ["requests_send_outbox"]  # it waits for a person

    client.post(f"/api/v1/requests/{request_id}/approve", headers=ADMIN, json={"note": "ok"})
    assert queued(client)[0] == ("execution_run_request", (request_id,))


def test_only_requests_this_session_made_ready_and_without_a_run_are_named(setup: Setup) -> None:
    request_id = setup.submit("access")
    with setup.sessions.begin() as session:
        records.get_request(session, request_id)
        assert start.became_ready(session) == []  # read, not changed here
    with setup.sessions.begin() as session:
        records.get_request(session, request_id).updated_at = setup.env.now()
        session.flush()  # the session keeps flushed objects only weakly: the id is noted at the flush
        assert start.became_ready(session) == [request_id]
        runner.start(session, setup.env, request_id, actor="test")
        assert start.became_ready(session) == []


def run_counting_commits(setup: Setup, request_type: str) -> tuple[str, runner.RunReport, int]:
    """Start a request of this type, then run it and count the commits of the run alone."""
    request_id = setup.submit(request_type)
    with setup.sessions.begin() as session:
        runner.start(session, setup.env, request_id, actor="test")
    commits: list[int] = []

    def count(_conn: Any) -> None:
        commits.append(1)

    engine = setup.sessions.kw["bind"]
    sa.event.listen(engine, "commit", count)
    try:
        report = runner.run_request(setup.sessions, setup.env, request_id)
    finally:
        sa.event.remove(engine, "commit", count)
    return request_id, report, len(commits)


def test_an_access_run_commits_once_per_step_and_closes_in_the_same_commit(setup: Setup) -> None:
    request_id, report, commits = run_counting_commits(setup, "access")
    assert report.status == "completed", report
    # Claim the package step; record it with the claim of "close", which runs and is recorded there.
    assert commits == 2
    with setup.sessions() as session:
        steps = steps_of(session, request_id)
    assert [s.state for s in steps] == [StepState.DONE, StepState.DONE]
    assert all(s.started_at and s.finished_at and s.attempts == 1 for s in steps)


def test_an_opt_out_runs_its_store_only_steps_in_one_commit(setup: Setup) -> None:
    _, report, commits = run_counting_commits(setup, "marketing_opt_out")
    # Recorded, recipients given their tasks, and the closing step waiting for them: one commit.
    assert report.status == "waiting", report
    assert commits == 1
    assert [s["state"] for s in report.steps] == ["done", "done", "pending"]
    assert "recipient task" in (report.steps[2]["reason"] or "")
