"""The life of a stored request as named steps: submit, verify, approve, deny, extend, cancel, complete.

Each step takes a session and a ``ServiceContext``, changes the request, records the move in the
request's history and in the hash-chained audit log (who, when, why), queues the messages it implies in
the outbox, and leaves the commit to the caller: the change and its messages stand or fall together.
Bad input raises a ``RequestRuleError`` naming the field, before anything is changed.
"""

from __future__ import annotations

import dataclasses
import secrets
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from privacyops.requests import corrections as rcorrections
from privacyops.requests import deadlines as rdeadlines
from privacyops.requests import errors, intake, notify, records, repeats, states, verify
from privacyops.requests import types as rtypes
from privacyops.requests.context import ServiceContext
from privacyops.requests.states import RequestState
from privacyops.store.models.requests import (
    ErasureSuppression,
    RequestIdentity,
    SubjectRequest,
)


@dataclass(frozen=True)
class SubmitResult:
    """The stored request, and whether it is new or an open one the submission was linked to."""

    request: SubjectRequest
    created: bool


def submit(
    session: Session, ctx: ServiceContext, submission: intake.Submission, *, actor: str
) -> SubmitResult:
    """Store a new request (or link to the open one of the same subject and type) with its messages."""
    now = ctx.now()
    received_at = submission.received_at or now
    if received_at > now:
        raise errors.RequestRuleError("the time received cannot be in the future", field="received_at")
    regions = list(submission.regions or (ctx.default_region,))
    regimes = ctx.catalog.regimes_for(regions)
    subject_key = ctx.identity_hash(submission.primary.kind, submission.primary.value)
    existing = _already_imported(session, submission) or _open_duplicate(session, subject_key, submission)
    if existing is not None:
        records.audit(session, actor, "request.duplicate_linked", existing, {"channel": submission.channel})
        return SubmitResult(existing, created=False)
    submission = _checked_corrections(ctx, submission)  # RR-1: known fields, before INT-5 compares them
    points = verify.check_points(ctx, submission)  # INT-4, INT-5: refused before anything is stored
    request = _new_request(ctx, submission, subject_key, received_at, regions, now)
    computed = _deadlines_or_none(received_at, submission.request_type, regimes)
    records.apply_deadlines(request, computed)
    request.flags = _flags(session, ctx, submission, subject_key, regimes, received_at)
    if points is not None:
        request.flags["points"] = points
    if submission.corrects:
        request.flags["corrects"] = list(submission.corrects)
    if submission.corrections:
        request.corrections = dict(submission.corrections)  # sealed at rest, never in flags or the audit
    if submission.lookback:
        request.flags["lookback"] = submission.lookback  # AC-5: the period asked for, kept for the run
    session.add(request)
    session.flush()
    _store_identities(session, ctx, request.id, submission.identities)
    records.audit(
        session,
        actor,
        "request.received",
        request,
        {"type": request.request_type, "channel": request.channel, "regions": regions},
    )
    _after_receipt(session, ctx, request, submission, actor)
    return SubmitResult(request, created=True)


def _checked_corrections(ctx: ServiceContext, submission: intake.Submission) -> intake.Submission:
    """Refuse corrections of fields the manifest does not offer; add every field they change to corrects."""
    if not submission.corrections or ctx.correctable is None:
        return submission
    given = dict(submission.corrections)
    rcorrections.check(ctx.correctable, given)
    implied = rcorrections.implied_fields(ctx.correctable, given)
    return dataclasses.replace(submission, corrects=tuple(dict.fromkeys([*submission.corrects, *implied])))


def _new_request(
    ctx: ServiceContext,
    submission: intake.Submission,
    subject_key: str,
    received_at: datetime,
    regions: list[str],
    now: datetime,
) -> SubjectRequest:
    return SubjectRequest(
        id=secrets.token_hex(16),
        request_type=submission.request_type.value,
        state=RequestState.RECEIVED.value,
        channel=submission.channel,
        regions=regions,
        subject_key=subject_key,
        contact_email=submission.contact_email,
        details=submission.details,
        external_ref=submission.external_ref,
        via_agent=submission.via_agent,
        received_at=received_at,
        created_at=now,
        updated_at=now,
        extensions=[],
        deadlines={},
        flags={},
    )


def _deadlines_or_none(
    received_at: datetime, kind: rtypes.RequestType, regimes: tuple[object, ...]
) -> rdeadlines.Deadlines | None:
    try:
        return rdeadlines.due_dates(received_at, kind, regimes)  # type: ignore[arg-type]
    except errors.RightNotGranted:
        return None  # honoured voluntarily: no statutory clock runs


def _already_imported(session: Session, submission: intake.Submission) -> SubjectRequest | None:
    if not submission.external_ref:
        return None
    query = sa.select(SubjectRequest).where(
        SubjectRequest.channel == submission.channel, SubjectRequest.external_ref == submission.external_ref
    )
    return session.execute(query.limit(1)).scalar_one_or_none()


def _open_duplicate(
    session: Session, subject_key: str, submission: intake.Submission
) -> SubjectRequest | None:
    query = sa.select(SubjectRequest).where(
        SubjectRequest.subject_key == subject_key,
        SubjectRequest.request_type == submission.request_type.value,
        SubjectRequest.state.in_(records.OPEN_STATES),
    )
    return session.execute(query.order_by(SubjectRequest.received_at).limit(1)).scalar_one_or_none()


def _flags(
    session: Session,
    ctx: ServiceContext,
    submission: intake.Submission,
    subject_key: str,
    regimes: tuple[object, ...],
    received_at: datetime,
) -> dict[str, object]:
    flags: dict[str, object] = {}
    hashes = [ctx.identity_hash(i.kind, i.value) for i in submission.identities]
    suppressed = session.execute(
        sa.select(sa.func.count()).where(ErasureSuppression.value_hash.in_(hashes))
    ).scalar_one()
    if suppressed:
        flags["previously_erased"] = True  # ER-5: a re-import of an erased subject is flagged
    earlier = session.execute(
        sa.select(SubjectRequest.received_at, SubjectRequest.request_type).where(
            SubjectRequest.subject_key == subject_key
        )
    ).all()
    prior = [repeats.PriorRequest(at, rtypes.RequestType(kind)) for at, kind in earlier]
    check = repeats.check_repeat(submission.request_type, regimes, received_at, prior)  # type: ignore[arg-type]
    if check.count_in_window:
        flags["repeat"] = {
            "count_in_window": check.count_in_window,
            "refusable_under": list(check.refusable_under),
        }
    return flags


def _store_identities(
    session: Session, ctx: ServiceContext, request_id: str, identities: tuple[intake.Identity, ...]
) -> None:
    for identity in identities:
        session.add(
            RequestIdentity(
                request_id=request_id,
                kind=identity.kind,
                value_hash=ctx.identity_hash(identity.kind, identity.value),
                value=identity.value,
            )
        )
    session.flush()


def _after_receipt(
    session: Session, ctx: ServiceContext, request: SubjectRequest, submission: intake.Submission, actor: str
) -> None:
    info = rtypes.info(submission.request_type)
    if submission.host is not None and info.needs_verification:
        verify.verify_account_holder(session, ctx, request, submission.host)
        notify.to_subject(session, ctx, request, "acknowledgement", needs_verification=False)
        return
    if submission.verified:
        target = RequestState.VERIFIED
        why = f"identity vouched for by {actor}"
    else:
        target = states.initial_state(
            needs_verification=info.needs_verification,
            via_agent=submission.via_agent,
            agent_proof=submission.agent_proof,
        )
        why = _why_initial(target)
    records.move(session, request, target, actor="system", reason=why)
    if target is RequestState.VERIFIED:
        request.verified_at = ctx.now()
        if submission.verified:
            request.flags = {**request.flags, "verification": {"method": "operator"}}
        verify.route_verified(session, ctx, request)
    elif _points_only(request):  # no code to wait for: the points alone decide
        verify.settle_points(session, ctx, request, email_verified=False)
    notify.to_subject(
        session,
        ctx,
        request,
        "acknowledgement",
        needs_verification=request.state == RequestState.AWAITING_VERIFICATION,
    )
    if request.state == RequestState.AWAITING_VERIFICATION:
        verify.send_code(session, ctx, request)


def _points_only(request: SubjectRequest) -> bool:
    waiting = request.state == RequestState.AWAITING_VERIFICATION
    return waiting and "points" in request.flags and not request.contact_email


def _why_initial(target: RequestState) -> str:
    return {
        RequestState.AWAITING_AGENT_PROOF: "sent by an agent without signed permission yet",
        RequestState.AWAITING_VERIFICATION: "the subject must confirm their identity",
        RequestState.VERIFIED: "this request type needs no verification",
    }.get(target, "received")
