"""Workflow rules on a real store with a controlled clock: expiry, purge, DL examples, agents, repeats."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from privacyops import jobs
from privacyops.audit import chain
from privacyops.requests import decisions, errors, intake, records, service, tasks, verify
from privacyops.requests.context import ServiceContext
from privacyops.store import db
from privacyops.store.models.audit import AuditEvent
from privacyops.store.models.outbox import OutboxMessage
from privacyops.store.models.requests import RequestTransition, VerificationChallenge


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def sessions(db_url: str) -> Iterator[Any]:
    db.upgrade(db_url)
    engine = db.make_engine(db_url)
    yield db.session_factory(engine)
    engine.dispose()


def make_ctx(clock: Clock) -> ServiceContext:
    return ServiceContext(key=b"service-rules-key-0123456789", clock=clock)


def file(
    session: Session,
    ctx: ServiceContext,
    kind: str = "access",
    regions: tuple[str, ...] = ("eu",),
    email: str = "ada@example.com",
    **extra: Any,
) -> Any:
    submission = intake.build_submission(
        request_type=kind, identities={"email": email}, regions=regions, channel="ticket", **extra
    )
    return service.submit(session, ctx, submission, actor="tester").request


@pytest.mark.req("INT-7")
def test_a_code_after_expiry_is_refused_and_purged(sessions: Any) -> None:
    clock = Clock(datetime(2025, 3, 3, 9, 0, tzinfo=UTC))
    ctx = make_ctx(clock)
    with sessions.begin() as session:
        request = file(session, ctx)
        code_row = session.execute(sa.select(VerificationChallenge)).scalar_one()
        assert len(code_row.code_hash) == 64
    clock.now += timedelta(minutes=31)
    with sessions.begin() as session:
        result = verify.verify_code(session, ctx, request.id, "123456")
        assert not result.ok and "expired" in result.message
        assert records.get_request(session, request.id).state == "awaiting_verification"
    with sessions.begin() as session:
        assert verify.purge_verification_data(session, clock.now) == 1
        assert (
            session.execute(sa.select(sa.func.count()).select_from(VerificationChallenge)).scalar_one() == 0
        )


@pytest.mark.parametrize(
    ("kind", "regions", "received", "ack_due", "response_due", "state"),
    [
        pytest.param(
            "access",
            ("us-ca",),
            datetime(2025, 3, 3, 17, tzinfo=UTC),
            "2025-03-17",
            "2025-04-16",
            "awaiting_verification",
            id="DL-2 acknowledgement",
            marks=pytest.mark.req("DL-2"),
        ),
        pytest.param(
            "opt_out_sale_share",
            ("us-ca",),
            datetime(2025, 3, 3, 17, tzinfo=UTC),
            None,
            "2025-03-24",
            "verified",
            id="DL-4 opt-out",
            marks=pytest.mark.req("DL-4"),
        ),
        pytest.param(
            "access",
            ("eu", "us-ca"),
            datetime(2025, 1, 31, 12, tzinfo=UTC),
            "2025-02-14",
            "2025-02-28",
            "awaiting_verification",
            id="DL-7 earliest wins",
            marks=pytest.mark.req("DL-7"),
        ),
        pytest.param(
            "access",
            ("ch",),
            datetime(2025, 3, 3, 12, tzinfo=UTC),
            None,
            "2025-04-02",
            "awaiting_verification",
            id="DL-5 Switzerland",
            marks=pytest.mark.req("DL-5"),
        ),
    ],
)
def test_due_dates_follow_the_requirement_examples(
    sessions: Any,
    kind: str,
    regions: tuple[str, ...],
    received: datetime,
    ack_due: str | None,
    response_due: str,
    state: str,
) -> None:
    ctx = make_ctx(Clock(received + timedelta(hours=1)))
    with sessions.begin() as session:
        request = file(session, ctx, kind, regions, received_at=received)
        assert request.acknowledgement_due == (date.fromisoformat(ack_due) if ack_due else None)
        assert request.response_due == date.fromisoformat(response_due)
        assert request.state == state


@pytest.mark.req("DL-1")
def test_dl1_extension_within_the_first_month_runs_to_three_months(sessions: Any) -> None:
    clock = Clock(datetime(2025, 2, 10, 9, tzinfo=UTC))
    ctx = make_ctx(clock)
    with sessions.begin() as session:
        request = file(session, ctx, received_at=datetime(2025, 1, 31, 9, tzinfo=UTC))
        assert request.response_due == date(2025, 2, 28)
        extended = decisions.extend(session, ctx, request.id, actor="tester", reason="restoring backups")
        assert extended.response_due == date(2025, 4, 30)
        assert extended.extensions[0]["reason"] == "restoring backups"
        rebuilt = records.request_deadlines(ctx, extended)
        assert rebuilt is not None and rebuilt.response_due == date(2025, 4, 30)


@pytest.mark.req("DL-6")
def test_dl6_overdue_canadian_request_is_a_deemed_refusal_and_holds_data(sessions: Any) -> None:
    clock = Clock(datetime(2025, 3, 3, 15, tzinfo=UTC))
    ctx = make_ctx(clock)
    with sessions.begin() as session:
        request = file(session, ctx, regions=("ca",))
        eu = file(session, ctx, regions=("eu",), email="eve@example.com")
    clock.now = datetime(2025, 4, 20, 12, tzinfo=UTC)
    with sessions.begin() as session:
        counts = tasks.watch_deadlines(session, ctx)
        assert counts == {"due_soon": 0, "overdue": 2, "deemed_refusal": 1}
        assert records.get_request(session, request.id).state == "deemed_refusal"
        assert records.get_request(session, request.id).flags["hold_data"] is True
        assert records.get_request(session, eu.id).state == "awaiting_verification"
        alert = session.execute(sa.select(OutboxMessage).where(OutboxMessage.kind == "alert")).scalar_one()
        assert request.id in alert.body_text and "@example.com" not in alert.body_text


@pytest.mark.req("INT-6")
def test_int6_agent_without_proof_waits_for_it(sessions: Any) -> None:
    ctx = make_ctx(Clock(datetime(2025, 3, 3, 9, tzinfo=UTC)))
    with sessions.begin() as session:
        request = file(session, ctx, via_agent=True)
        assert request.state == "awaiting_agent_proof"
        proven = verify.mark_verified(
            session, ctx, request.id, actor="reviewer", reason="signed permission seen"
        )
        assert proven.state == "verified"


@pytest.mark.req("DL-8")
def test_dl8_third_access_in_12_months_needs_a_recorded_reason(sessions: Any) -> None:
    clock = Clock(datetime(2025, 1, 10, 9, tzinfo=UTC))
    ctx = make_ctx(clock)
    for _ in range(2):
        with sessions.begin() as session:
            earlier = file(session, ctx, regions=("us-ca",))
            decisions.cancel(session, ctx, earlier.id, actor="tester", reason="answered")
        clock.now += timedelta(days=30)
    with sessions.begin() as session:
        third = file(session, ctx, regions=("us-ca",))
        assert third.flags["repeat"] == {"count_in_window": 2, "refusable_under": ["ccpa_ca"]}
    with sessions() as session, pytest.raises(errors.RequestRuleError) as caught:
        decisions.deny(session, ctx, third.id, actor="tester", code="repeat_request", reason="")
    assert caught.value.field == "reason"
    with sessions.begin() as session:
        denied = decisions.deny(
            session, ctx, third.id, actor="tester", code="repeat_request", reason="two answers given already"
        )
        assert denied.state == "denied"
    with sessions.begin() as session:
        eu_only = file(session, ctx, regions=("eu",), email="eve@example.com")
    with sessions() as session, pytest.raises(errors.RefusalNotAllowed):
        decisions.deny(session, ctx, eu_only.id, actor="tester", code="repeat_request", reason="again")


@pytest.mark.req("RK-4")
def test_every_transition_is_in_the_audit_chain_without_personal_data(sessions: Any) -> None:
    ctx = make_ctx(Clock(datetime(2025, 3, 3, 9, tzinfo=UTC)))
    with sessions.begin() as session:
        request = file(session, ctx, verified=True)
        decisions.approve(session, ctx, request.id, actor="reviewer-1")
        decisions.complete(
            session, ctx, request.id, actor="reviewer-1", partial=True, note="one system offline"
        )
    with sessions() as session:
        moves = list(session.execute(sa.select(RequestTransition).order_by(RequestTransition.id)).scalars())
        assert [m.target for m in moves] == ["verified", "in_progress", "partially_completed"]
        events = {e.id: e for e in session.execute(sa.select(AuditEvent)).scalars()}
        for move in moves:
            event = events[move.audit_event_id or 0]
            assert (event.actor, event.data["to"], event.data["reason"]) == (
                move.actor,
                move.target,
                move.reason,
            )
        assert "ada@example.com" not in str([e.data for e in events.values()])
        assert chain.verify(session).ok
    with sessions() as session, pytest.raises(errors.RequestRuleError) as caught:
        decisions.cancel(session, ctx, request.id, actor="x", reason="mail ada@example.com")
    assert caught.value.field in ("reason", "target")


def test_request_tasks_are_registered() -> None:
    names = set(jobs.registered_tasks())
    assert {
        "requests_send_outbox",
        "requests_outbox_sweep",
        "requests_purge_verification",
        "requests_purge_records",
        "requests_deadline_watch",
    } <= names
