"""A stored request's records: look-ups, deadlines, and moves written to its history and the audit chain."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from privacyops.audit import chain
from privacyops.requests import deadlines as rdeadlines
from privacyops.requests import errors, states
from privacyops.requests import types as rtypes
from privacyops.requests.context import ServiceContext
from privacyops.requests.states import RequestState
from privacyops.store.models.audit import AuditEvent
from privacyops.store.models.requests import (
    RequestIdentity,
    RequestTransition,
    SubjectRequest,
)

ENTITY = "subject_request"
OPEN_STATES = tuple(s.value for s in RequestState if not states.is_terminal(s))


class RequestNotFound(errors.RequestRuleError):
    """No request has this id."""

    status_code = 404


# --- reading ---------------------------------------------------------------------------------------


def get_request(session: Session, request_id: str, *, for_update: bool = False) -> SubjectRequest:
    """Return the request with this id, or raise ``RequestNotFound`` naming the field.

    ``for_update`` locks the row until the transaction ends (PostgreSQL; SQLite's write lock already
    serialises writers), for steps that count something on the request.
    """
    row = session.get(SubjectRequest, request_id.strip(), with_for_update=for_update) if request_id else None
    if row is None:
        raise RequestNotFound(f"no request with id {request_id!r}", field="id")
    return row


def history(session: Session, request_id: str) -> list[RequestTransition]:
    """Return the request's moves in order."""
    query = sa.select(RequestTransition).where(RequestTransition.request_id == request_id)
    return list(session.execute(query.order_by(RequestTransition.id)).scalars())


def identities_of(session: Session, request_id: str) -> list[RequestIdentity]:
    """Return the identities stored for a request."""
    query = sa.select(RequestIdentity).where(RequestIdentity.request_id == request_id)
    return list(session.execute(query.order_by(RequestIdentity.id)).scalars())


def request_deadlines(ctx: ServiceContext, request: SubjectRequest) -> rdeadlines.Deadlines | None:
    """Rebuild a request's deadlines from its receipt, type, regions and recorded extensions."""
    kind = rtypes.RequestType(request.request_type)
    regimes = ctx.catalog.regimes_for(request.regions)
    try:
        computed = rdeadlines.due_dates(request.received_at, kind, regimes)
    except errors.RightNotGranted:
        return None
    for entry in request.extensions or []:
        computed = rdeadlines.extend(
            computed,
            entry["regime"],
            entry["reason"],
            datetime.fromisoformat(entry["at"]),
            new_due=_date_or_none(entry.get("new_due")),
        )
    return computed


def _date_or_none(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


# --- moves and the audit chain -----------------------------------------------------------------------


def move(
    session: Session, request: SubjectRequest, target: RequestState, *, actor: str, reason: str | None
) -> RequestTransition:
    """Move the request to ``target`` if the state machine allows it, recording who, when and why."""
    step = states.transition(request.state, target, actor=actor, reason=reason)
    event = audit(
        session,
        actor,
        "request.transition",
        request,
        {"from": step.source.value, "to": step.target.value, "reason": step.reason},
    )
    row = RequestTransition(
        request_id=request.id,
        source=step.source.value,
        target=step.target.value,
        actor=actor,
        reason=step.reason,
        at=event.created_at,
        audit_event_id=event.id,
    )
    session.add(row)
    request.state = step.target.value
    request.updated_at = event.created_at
    session.flush()
    return row


def audit(
    session: Session, actor: str, action: str, request: SubjectRequest, data: dict[str, object]
) -> AuditEvent:
    """Append an event about ``request`` to the audit chain; refuses email addresses in the data."""
    try:
        return chain.append(
            session, actor=actor, action=action, entity=ENTITY, entity_id=request.id, data=data
        )
    except chain.PersonalDataInAudit:
        raise errors.RequestRuleError(
            "reasons and names are kept in the audit log, which holds no email addresses; leave them out",
            field="reason",
        ) from None


def required(value: str | None, field: str) -> str:
    """Return the stripped value, or raise an error naming the empty field."""
    if not value or not value.strip():
        raise errors.RequestRuleError(
            f"{field} is required: say why, it is kept and may be sent", field=field
        )
    return value.strip()


def require_state(request: SubjectRequest, expected: RequestState) -> None:
    """Raise an error naming the state when ``request`` is not in ``expected``."""
    if request.state != expected:
        raise errors.IllegalTransition(
            f"the request is {request.state}, not {expected}; this step does not apply", field="state"
        )


def apply_deadlines(request: SubjectRequest, computed: rdeadlines.Deadlines | None) -> None:
    """Store the due dates on the request (None: no statutory clock, the request is honoured voluntarily)."""
    if computed is None:
        request.deadlines = {"statutory": False}
        request.response_due = request.acknowledgement_due = None
        return
    request.deadlines = {"statutory": True, **computed.summary()}
    request.response_due = computed.response_due
    request.acknowledgement_due = computed.acknowledgement_due


# --- how the request was verified ---------------------------------------------------------------------


def verification_record(request: SubjectRequest) -> dict[str, Any]:
    """Return how the request was verified (method, level, answer scope, reason); empty if not yet."""
    return dict((request.flags or {}).get("verification") or {})


def answer_scope(request: SubjectRequest) -> rtypes.AccessScope | None:
    """Return what an access answer may contain: categories only when the points allowed no more."""
    scope = verification_record(request).get("scope")
    return rtypes.AccessScope(scope) if scope else None


def limitation_note(request: SubjectRequest) -> str | None:
    """Return why the answer is narrower than asked (or the request unverifiable), else None."""
    record = verification_record(request)
    if record.get("method") != "points":
        return None
    asked = ((request.flags or {}).get("points") or {}).get("scope_asked")
    narrowed = record.get("scope") == rtypes.AccessScope.CATEGORIES and asked != rtypes.AccessScope.CATEGORIES
    unverified = record.get("verified") is False
    reason = record.get("reason")
    return str(reason) if reason and (narrowed or unverified) else None
