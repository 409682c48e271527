"""Erasure on the demo database as persisted steps: evidence, holds, audit trail, recipient tasks."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from privacyops.audit import chain
from privacyops.demo import truth
from privacyops.execution import fanout, runner, steps
from privacyops.store.models.audit import AuditEvent
from privacyops.store.models.execution import ExecutionRun

from .conftest import SUBJECT, Setup


def close_all_tasks(setup: Setup, request_id: str) -> int:
    with setup.sessions.begin() as session:
        tasks = fanout.tasks_of(session, request_id)
        for task in tasks:
            fanout.close_task(session, task.id, state="done", actor="test", evidence="confirmed by mail",
                              now=setup.env.now())
    return len(tasks)


@pytest.mark.req("ER-1", "ER-2")
def test_erasure_runs_every_step_proves_nothing_is_left_and_closes(setup: Setup) -> None:
    owned = truth.ground_truth(setup.demo_url, "u_1")
    before = truth.checksums(setup.demo_url, exclude=owned)
    request_id = setup.submit("erasure")
    with setup.sessions.begin() as session:
        runner.start(session, setup.env, request_id, actor="test")
    report = runner.run_request(setup.sessions, setup.env, request_id)
    assert report.status == "waiting", report
    assert [s["state"] for s in report.steps[:-1]] == ["done"] * (len(report.steps) - 1)
    assert close_all_tasks(setup, request_id) > 0
    report = runner.run_request(setup.sessions, setup.env, request_id)
    assert report.status == "completed", report
    assert truth.checksums(setup.demo_url, exclude=owned) == before
    assert set(truth.identity_matches(setup.demo_url, [SUBJECT["email"]])) <= {"billing_customers"}
    with setup.sessions() as session:
        run = session.get(ExecutionRun, request_id)
        assert run is not None and run.subject == {}
        evidence = run.outcome["evidence"]
        assert evidence and all(e["remaining"] == 0 or e["held"] for e in evidence)
        assert {e["table"] for e in evidence} >= {"app_db.users", "app_db.traces", "app_db.observations"}
        held = run.outcome["held"]
        assert held["app_db.billing_customers"]["hold"] == "tax"
        assert "tax" in run.outcome["closing_note"]
        logged = session.execute(sa.select(AuditEvent).where(AuditEvent.action == "execution.step",
                                                             AuditEvent.entity_id == request_id)).scalars()
        assert len(list(logged)) == len(report.steps)
        assert chain.verify(session).ok


def test_running_a_step_again_changes_nothing(setup: Setup) -> None:
    request_id = setup.submit("erasure")
    with setup.sessions.begin() as session:
        runner.start(session, setup.env, request_id, actor="test")
        runner.start(session, setup.env, request_id, actor="test")  # starting twice keeps one run
        count = len(steps.steps_of(session, request_id))
    runner.run_request(setup.sessions, setup.env, request_id)
    after = truth.checksums(setup.demo_url)
    for number in range(1, count + 1):
        state = runner.run_step(setup.sessions, setup.env, request_id, number)
        assert state in ("done", "waiting")
    assert truth.checksums(setup.demo_url) == after
    with setup.sessions() as session:
        attempts = [s.attempts for s in steps.steps_of(session, request_id)]
    assert attempts[:-1] == [1] * (count - 1)
