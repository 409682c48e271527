"""An erasure's table pass uses the collection "find the subject" made a moment before in the same
process, and ends exactly as a pass that reads the tables again."""

from __future__ import annotations

from typing import Any

import pytest

from privacyops.demo import truth
from privacyops.engine import run as engine_run
from privacyops.engine.collect import Collection
from privacyops.execution import fanout, fresh, runner
from privacyops.store.models.execution import ExecutionRun

from .conftest import SUBJECT, Setup

OTHER = {"email": "subject2@example.com"}


def erase(setup: Setup, request_id: str) -> None:
    """Run an erasure to its end: its steps, the recipients' tasks closed, then closing."""
    report = runner.run_request(setup.sessions, setup.env, request_id)
    assert report.status == "waiting", report
    with setup.sessions.begin() as session:
        for task in fanout.tasks_of(session, request_id):
            fanout.close_task(session, task.id, state="done", actor="test", evidence="confirmed by mail",
                              now=setup.env.now())
    assert runner.run_request(setup.sessions, setup.env, request_id).status == "completed"
    with setup.sessions() as session:
        run = session.get(ExecutionRun, request_id)
        assert run is not None
        evidence = run.outcome["evidence"]
    assert evidence and all(e["remaining"] == 0 or e["held"] for e in evidence)


def owned_by(setup: Setup, *users: str) -> dict[str, set[str]]:
    owned: dict[str, set[str]] = {}
    for user in users:
        for table, keys in truth.ground_truth(setup.demo_url, user).items():
            owned.setdefault(table, set()).update(keys)
    return owned


def started(setup: Setup, identities: dict[str, str]) -> str:
    request_id = setup.submit("erasure", identities)
    with setup.sessions.begin() as session:
        runner.start(session, setup.env, request_id, actor="test")
    return request_id


@pytest.mark.req("ER-1")
def test_the_pass_reuses_the_first_collection_and_ends_as_one_that_reads_again(
        setup: Setup, monkeypatch: pytest.MonkeyPatch) -> None:
    passes_reading: list[str] = []
    real = engine_run.collect

    def counting(*args: Any, **kwargs: Any) -> Collection:
        passes_reading.append("read")
        return real(*args, **kwargs)

    monkeypatch.setattr(engine_run, "collect", counting)
    owned = owned_by(setup, "u_1", "u_2")
    untouched = truth.checksums(setup.demo_url, exclude=owned)

    erase(setup, started(setup, SUBJECT))
    assert passes_reading == []  # the pass took the collection "find the subject" had just made

    request_id = started(setup, OTHER)
    assert runner.run_step(setup.sessions, setup.env, request_id, 1) == "done"
    fresh.forget(request_id)  # as if the pass ran in another worker process
    erase(setup, request_id)
    assert passes_reading  # without it, the pass read the tables again

    for identities in (SUBJECT, OTHER):
        assert set(truth.identity_matches(setup.demo_url, [identities["email"]])) <= {"billing_customers"}
    assert truth.checksums(setup.demo_url, exclude=owned) == untouched


def test_a_kept_collection_serves_only_the_run_that_recorded_it_and_only_once() -> None:
    found = Collection(rows={"s.t": {("k",): {"id": "k"}}})
    summary = {"found": {"s.t": 1}, "keys": {"s.t": [["k"]]}}
    fresh.keep("r1", summary, found)
    assert fresh.take("r1", {**summary, "found": {"s.t": 2}}) is None  # another collection was recorded
    assert fresh.take("r1", summary) is None  # and it is gone
    fresh.keep("r1", summary, found)
    assert fresh.take("r1", {**summary, "holds": {}}) is found
    assert fresh.take("r1", summary) is None
    fresh.keep("r2", summary, Collection(failures={"s.t": "down"}))
    assert fresh.take("r2", summary) is None  # a collection that failed somewhere is never kept
