"""Loud failures (ER-6), rectification with recipient tasks (RR-1), restriction and objection (RR-2, RR-3),
suppression of erased subjects (ER-5), and the reconciler."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from privacyops.demo import truth
from privacyops.execution import fanout, reconcile, restriction, runner, steps, suppression
from privacyops.manifest.schema import Field
from privacyops.store.models.execution import ExecutionRun, ExecutionStep

from .conftest import SECRET, Setup


def with_field(setup: Setup, table: str, name: str, **spec: object) -> None:
    manifest = setup.env.manifest
    system = manifest.systems["app_db"]
    old = system.tables[table]
    tables = {**system.tables, table: old.model_copy(
        update={"fields": {**old.fields, name: Field.model_validate(spec)}})}
    systems = {**manifest.systems, "app_db": system.model_copy(update={"tables": tables})}
    setup.env.manifest = manifest.model_copy(update={"systems": systems})


@pytest.mark.req("ER-6")
def test_a_field_that_cannot_be_erased_fails_the_request_loudly(setup: Setup) -> None:
    with_field(setup, "api_keys", "hashed_secret_key",
               categories=["user.authorization.credentials"], erase="null")
    request_id = setup.submit("erasure")
    with setup.sessions.begin() as session:
        runner.start(session, setup.env, request_id, actor="test")
    report = runner.run_request(setup.sessions, setup.env, request_id)
    assert report.status == "failed"
    by_name = {s["name"]: s for s in report.steps}
    assert "hashed_secret_key cannot be erased" in by_name["erase app_db.api_keys"]["reason"]
    assert by_name["erase app_db.users"]["state"] == "blocked"
    assert by_name["close"]["state"] == "blocked"
    with setup.sessions() as session:
        state = session.execute(sa.text("SELECT state FROM subject_requests WHERE id = :id"),
                                {"id": request_id}).scalar_one()
    assert state == "in_progress"  # never completed with a gap
    assert "u_1" in truth.ground_truth(setup.demo_url, "u_1")["users"]


@pytest.mark.req("RR-1")
def test_rectification_changes_every_declared_copy_and_tells_recipients(setup: Setup) -> None:
    request_id = setup.submit("rectification")
    with setup.sessions.begin() as session:
        runner.start(session, setup.env, request_id, actor="test",
                     params={"corrections": {"user.contact.email": "renamed1@example.org"}})
    report = runner.run_request(setup.sessions, setup.env, request_id)
    assert report.status == "waiting", report
    # Free text (trace payloads) may quote the old address; every declared email column is corrected.
    left = truth.identity_matches(setup.demo_url, ["subject1@example.com"])
    declared = {"users", "invitations", "billing_customers", "marketing_contacts"}
    assert not {t for t, ids in left.items() if ids} & declared
    assert truth.identity_matches(setup.demo_url, ["renamed1@example.org"]).get("users")
    with setup.sessions() as session:
        tasks = fanout.tasks_of(session, request_id)
    assert tasks and {t.action for t in tasks} == {"correct"}
    assert all("user.contact.email" in t.categories for t in tasks)


@pytest.mark.req("RR-2")
def test_restriction_blocks_processing_and_lifting_needs_a_notice(setup: Setup) -> None:
    request_id = setup.submit("restriction")
    with setup.sessions.begin() as session:
        runner.start(session, setup.env, request_id, actor="test")
    assert runner.run_request(setup.sessions, setup.env, request_id).status == "waiting"
    manifest = setup.env.manifest
    digest = setup.env.service.identity_hash("email", "subject1@example.com")
    with setup.sessions.begin() as session:
        assert not restriction.may_process(session, manifest, [digest], "marketing_communications").allowed
        legal = next(p for p, v in manifest.purposes.items() if v.basis.gdpr == "legal_obligation")
        assert restriction.may_process(session, manifest, [digest], legal).allowed
        (row,) = [r for r in restriction.active_for(session, [digest]) if r.kind == "restriction"]
        with pytest.raises(restriction.RestrictionRuleError, match="tell the subject"):
            restriction.lift(session, row.id, actor="test", now=setup.env.now())
        restriction.record_notice(session, row.id, actor="test", now=setup.env.now())
        restriction.lift(session, row.id, actor="test", now=setup.env.now())
        assert restriction.may_process(session, manifest, [digest], "marketing_communications").allowed


@pytest.mark.req("RR-3")
def test_a_marketing_objection_has_no_override(setup: Setup) -> None:
    request_id = setup.submit("marketing_opt_out")
    with setup.sessions.begin() as session:
        runner.start(session, setup.env, request_id, actor="test")
    runner.run_request(setup.sessions, setup.env, request_id)
    digest = setup.env.service.identity_hash("email", "subject1@example.com")
    with setup.sessions.begin() as session:
        (row,) = restriction.active_for(session, [digest])
        assert row.kind == "objection"
        with pytest.raises(restriction.RestrictionRuleError, match="absolute"):
            restriction.override(session, setup.env.manifest, row.id, grounds="we insist", actor="test")
        assert not restriction.may_process(session, setup.env.manifest, [digest], row.scope).allowed


@pytest.mark.req("ER-5")
def test_an_erased_subject_stays_suppressed_and_a_reimport_is_flagged(setup: Setup) -> None:
    request_id = setup.submit("erasure")
    with setup.sessions.begin() as session:
        runner.start(session, setup.env, request_id, actor="test")
    runner.run_request(setup.sessions, setup.env, request_id)
    with setup.sessions.begin() as session:
        for task in fanout.tasks_of(session, request_id):
            fanout.close_task(session, task.id, state="impossible", actor="test",
                              evidence="no API and no answer", now=setup.env.now())
    assert runner.run_request(setup.sessions, setup.env, request_id).status == "partially_completed"
    with setup.sessions() as session:
        assert suppression.is_suppressed(session, SECRET, "email", " Subject1@Example.com")
        assert suppression.is_suppressed(session, SECRET, "user_id", "u_1")
        flags = suppression.check_import(session, SECRET, [{"email": "someone@example.com"},
                                                           {"email": "subject1@example.com"}])
        assert [f.position for f in flags] == [1]


def test_the_reconciler_finds_a_run_whose_worker_died(setup: Setup) -> None:
    request_id = setup.submit("erasure")
    with setup.sessions.begin() as session:
        runner.start(session, setup.env, request_id, actor="test")
        (first, *_) = steps.steps_of(session, request_id)
        assert steps.claim(session, first, setup.env.now())
        first.owner, first.lease_until = "elsewhere:1", setup.env.now() + timedelta(minutes=5)
    later = setup.env.now() + timedelta(minutes=6)
    with setup.sessions() as session:
        assert reconcile.stalled(session, setup.env.now()) == []
        dispatched: list[str] = []
        assert reconcile.reconcile(session, later, dispatched.append) == [request_id] == dispatched
    with setup.sessions() as session:
        run = session.get(ExecutionRun, request_id)
        assert run is not None and run.status == "running"
        assert session.execute(sa.select(sa.func.count()).select_from(ExecutionStep)).scalar_one() > 3
