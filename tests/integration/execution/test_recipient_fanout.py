"""As controller, an erasure goes out to every subprocessor concerned, once each, and waits for them all."""

from __future__ import annotations

import pytest

from privacyops.execution import fanout, runner
from privacyops.manifest.schema import Subprocessor
from privacyops.requests import records

from .conftest import Setup

# A recipient that holds none of the categories the demo database keeps: it must not be asked.
TUTOR = Subprocessor(name="Tutoring Co", service="internal_use", categories=("user.education",), country="DE")


def close(setup: Setup, task_id: int) -> None:
    with setup.sessions.begin() as session:
        fanout.close_task(session, task_id, state="done", actor="test", evidence="confirmed by mail",
                          now=setup.env.now())


@pytest.mark.req("PC-3", "ER-1")
def test_each_subprocessor_concerned_gets_one_task_and_the_request_closes_after_all(setup: Setup) -> None:
    shipped = setup.env.manifest
    setup.env.manifest = shipped.model_copy(update={"subprocessors": (*shipped.subprocessors, TUTOR)})
    request_id = setup.submit("erasure")
    with setup.sessions.begin() as session:
        runner.start(session, setup.env, request_id, actor="test")
    assert runner.run_request(setup.sessions, setup.env, request_id).status == "waiting"
    assert runner.run_request(setup.sessions, setup.env, request_id).status == "waiting"  # no new tasks

    with setup.sessions() as session:
        tasks = fanout.tasks_of(session, request_id)
    asked = [(t.recipient, t.service) for t in tasks]
    # Every recipient of the shipped notice holds the subject's email or name; GitHub twice, per service.
    assert sorted(asked) == sorted((p.name, p.service) for p in shipped.subprocessors)
    assert {("GitHub", "communicate_and_chat"), ("GitHub", "third_party_account_connection")} <= set(asked)
    assert all(t.action == "erase" and t.state == "open" and t.categories for t in tasks)

    *first, last = tasks
    for task in first:
        close(setup, task.id)
    assert runner.run_request(setup.sessions, setup.env, request_id).status == "waiting"
    with setup.sessions() as session:
        assert records.get_request(session, request_id).state == "in_progress"
    close(setup, last.id)
    assert runner.run_request(setup.sessions, setup.env, request_id).status == "completed"
    with setup.sessions() as session:
        assert records.get_request(session, request_id).state == "completed"
