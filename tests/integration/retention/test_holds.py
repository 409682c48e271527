"""Legal holds in sweeps and erasures (ER-2, DL-6): held data stays, the run and the answer say why."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from privacyops.demo import truth
from privacyops.execution import runner
from privacyops.retention import holds, sweep
from privacyops.store.models.execution import ExecutionRun
from privacyops.store.models.requests import SubjectRequest

from .conftest import TERMINATED, Setup
from .support import email_of, left


def add_hold(setup: Setup, scope: str, target: str, reason: str, kind: str | None = None) -> int:
    with setup.sessions.begin() as session:
        hold = holds.add(
            session,
            setup.env.manifest,
            scope=scope,
            target=target,
            reason_code=reason,
            actor="test",
            hash_fn=setup.env.service.identity_hash,
            identity_kind=kind,
        )
        return hold.id


def sweep_once(setup: Setup):  # type: ignore[no-untyped-def]
    (rule,) = sweep.sweep_rules(setup.env)
    run = sweep.run_rule(setup.env, setup.sessions, rule)
    assert run.status == "done", run.errors
    return run


@pytest.mark.req("ER-2")
def test_a_subject_hold_keeps_the_person_until_it_is_released(setup: Setup) -> None:
    owned = truth.ground_truth(setup.demo_url, TERMINATED)
    everything = {t: len(ids) for t, ids in owned.items() if ids}
    hold_id = add_hold(setup, "subject", email_of(setup.demo_url, TERMINATED), "litigation", kind="email")
    kept = sweep_once(setup)
    assert kept.held == {"subjects": 1} and kept.rows == {}
    assert left(setup.demo_url, owned) == everything
    with setup.sessions.begin() as session:
        holds.release(session, hold_id, actor="test", now=setup.env.now())
    assert sweep_once(setup).rows["app_db.users"] == 1


@pytest.mark.req("ER-2")
def test_a_table_hold_keeps_that_table_and_the_rows_it_points_at(setup: Setup) -> None:
    owned = truth.ground_truth(setup.demo_url, TERMINATED)
    add_hold(setup, "table", "app_db.traces", "litigation")
    run = sweep_once(setup)
    assert run.held["app_db.traces"] == len(owned["traces"]) and run.held["app_db.users"] == 1
    remaining = left(setup.demo_url, owned)
    assert remaining["traces"] == len(owned["traces"]) and remaining["users"] == 1
    assert "observations" not in remaining, "rows below the held table are not held"


@pytest.mark.req("DL-6")
def test_a_canadian_deemed_refusal_holds_that_subjects_data(setup: Setup) -> None:
    email = email_of(setup.demo_url, TERMINATED)
    request_id = setup.submit("access", {"email": email}, regions=["ca"])
    with setup.sessions.begin() as session:
        session.execute(
            sa.update(SubjectRequest).where(SubjectRequest.id == request_id).values(state="deemed_refusal")
        )
    run = sweep_once(setup)
    assert run.held == {"subjects": 1} and run.rows == {}


@pytest.mark.req("ER-2")
def test_an_erasure_request_leaves_a_held_category_and_names_the_hold_in_its_answer(setup: Setup) -> None:
    owned = truth.ground_truth(setup.demo_url, "u_1")
    add_hold(setup, "category", "user.behavior.log_and_usage", "security_investigation")
    request_id = setup.submit("erasure", {"email": "subject1@example.com"})
    with setup.sessions.begin() as session:
        runner.start(session, setup.env, request_id, actor="test")
    report = runner.run_request(setup.sessions, setup.env, request_id)
    assert report.status in ("waiting", "completed"), report
    assert left(setup.demo_url, owned).get("audit_logs") == len(owned["audit_logs"])
    with setup.sessions() as session:
        run = session.get(ExecutionRun, request_id)
        assert run is not None
        entry = run.outcome["held"]["app_db.audit_logs"]
        assert entry["hold"] == "security_investigation" and entry["rows"] == len(owned["audit_logs"])
        assert all(e["remaining"] == 0 or e["held"] for e in run.outcome["evidence"])
