"""Sweeps on the demo database: a terminated account is erased everywhere a month later (ER-4)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from privacyops.audit import chain
from privacyops.demo import truth
from privacyops.retention import overdue, runs, sweep
from privacyops.store.models.audit import AuditEvent
from privacyops.store.models.retention import RetentionRun, Tombstone

from .conftest import AFTER_DUE, BEFORE_DUE, TERMINATED, Setup
from .support import email_of, left

RULE = "account-after-termination"


def anonymous_audit_trail(url: str, ids: set[str]) -> bool:
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(
            sa.text("SELECT user_id, ip_address FROM audit_logs WHERE id IN :ids").bindparams(
                sa.bindparam("ids", expanding=True)
            ),
            {"ids": sorted(ids)},
        ).all()
    engine.dispose()
    # The link to the deleted user is cut and the address nulled: the entries no longer name anyone.
    return bool(rows) and all(u is None and ip is None for u, ip in rows)


def the_rule(setup: Setup) -> object:
    (rule,) = sweep.sweep_rules(setup.env, RULE)
    return rule


@pytest.mark.req("ER-4")
def test_a_terminated_account_is_due_a_month_later_then_swept_everywhere_and_recorded(setup: Setup) -> None:
    owned = truth.ground_truth(setup.demo_url, TERMINATED)
    email = email_of(setup.demo_url, TERMINATED)
    others = truth.checksums(setup.demo_url, exclude=owned)
    assert owned["traces"] and owned["observations"], "the demo user produced trace data"
    rule = the_rule(setup)

    setup.clock.now = BEFORE_DUE
    early = sweep.run_rule(setup.env, setup.sessions, rule, dry_run=True)
    assert early.report["app_db.users"] == {"count": 0, "oldest": None}
    assert overdue.overdue(setup.env, setup.sessions) == []

    setup.clock.now = AFTER_DUE
    report = sweep.run_rule(setup.env, setup.sessions, rule, dry_run=True)
    assert report.report["app_db.users"] == {"count": 1, "oldest": "2025-01-31T12:00:00+00:00"}
    assert left(setup.demo_url, owned) == {t: len(ids) for t, ids in owned.items() if ids}, (
        "a dry run changes nothing"
    )
    (late,) = overdue.overdue(setup.env, setup.sessions)
    assert (late["rule"], late["count"], late["due"]) == (RULE, 1, "2025-02-28T12:00:00+00:00")

    done = sweep.run_rule(setup.env, setup.sessions, rule)
    assert done.status == "done", done.errors
    assert done.rows["app_db.users"] == 1
    assert done.rows["app_db.traces"] == len(owned["traces"])
    assert done.rows["app_db.observations"] == len(owned["observations"])
    # The manifest keeps the security audit trail without the person; everything else is gone.
    assert left(setup.demo_url, owned) == {"audit_logs": len(owned["audit_logs"])}
    assert anonymous_audit_trail(setup.demo_url, owned["audit_logs"])
    assert truth.identity_matches(setup.demo_url, [email]) == {}
    assert truth.checksums(setup.demo_url, exclude=owned) == others, "nobody else's rows changed"
    assert overdue.overdue(setup.env, setup.sessions) == []

    with setup.sessions() as session:
        actions = list(
            session.scalars(sa.select(AuditEvent.action).where(AuditEvent.entity == "retention_run"))
        )
        assert actions.count("retention.run_finished") == 3
        ledger = list(session.scalars(sa.select(Tombstone)))
        assert {f"{t.system}.{t.table_name}" for t in ledger} >= {"app_db.users", "app_db.traces"}
        assert all(email not in str(t.identity_hashes) for t in ledger)
        assert chain.verify(session).ok

    again = sweep.run_rule(setup.env, setup.sessions, rule)
    assert (again.status, again.rows) == ("done", {})


def test_a_run_left_by_a_dead_process_is_taken_over_with_its_cut_off(setup: Setup) -> None:
    rule = the_rule(setup)
    with setup.sessions.begin() as session:
        dead = RetentionRun(
            rule=RULE,
            status="running",
            dry_run=False,
            cutoff=AFTER_DUE - timedelta(days=60),
            rows={},
            held={},
            report={},
            errors=[],
            owner="gone:1",
            lease_until=AFTER_DUE - timedelta(minutes=1),
            started_at=AFTER_DUE - timedelta(hours=1),
        )
        session.add(dead)
    with setup.sessions.begin() as session:
        busy = RetentionRun(
            rule=RULE,
            status="running",
            dry_run=False,
            cutoff=AFTER_DUE,
            rows={},
            held={},
            report={},
            errors=[],
            owner="alive:2",
            lease_until=AFTER_DUE + timedelta(minutes=3),
            started_at=AFTER_DUE,
        )
        session.add(busy)
    with pytest.raises(runs.RunBusy):
        sweep.run_rule(setup.env, setup.sessions, rule)
    with setup.sessions.begin() as session:
        session.get(RetentionRun, busy.id).lease_until = AFTER_DUE - timedelta(seconds=1)
    resumed = sweep.run_rule(setup.env, setup.sessions, rule)
    assert resumed.status == "done" and resumed.resumed_from in (dead.id, busy.id)
    with setup.sessions() as session:
        states = {r.id: r.status for r in session.scalars(sa.select(RetentionRun))}
    assert states[dead.id] == states[busy.id] == "interrupted"
