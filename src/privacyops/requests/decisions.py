"""Decisions on a request: approve, deny with a reason code, extend, cancel, forward, complete (ER-5)."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Session

from privacyops.requests import deadlines as rdeadlines
from privacyops.requests import errors, notify, records, repeats, states
from privacyops.requests import types as rtypes
from privacyops.requests.context import ServiceContext
from privacyops.requests.states import RequestState
from privacyops.store.models.requests import (
    ErasureSuppression,
    SubjectRequest,
)

ERASING = frozenset({rtypes.RequestType.ERASURE, rtypes.RequestType.ACCOUNT_DELETION})


class DenialCode(StrEnum):
    UNVERIFIABLE = "unverifiable"
    MANIFESTLY_UNFOUNDED = "manifestly_unfounded"
    EXCESSIVE = "excessive"
    REPEAT_REQUEST = "repeat_request"  # DL-8: more than twice in 12 months
    LEGAL_EXEMPTION = "legal_exemption"
    NO_DATA = "no_data"


DENIAL_SUMMARIES = {
    DenialCode.UNVERIFIABLE: "We could not confirm that the request comes from you.",
    DenialCode.MANIFESTLY_UNFOUNDED: "The request is manifestly unfounded.",
    DenialCode.EXCESSIVE: "The request is excessive, in particular because it repeats earlier ones.",
    DenialCode.REPEAT_REQUEST: "We already answered two such requests from you in the last 12 months.",
    DenialCode.LEGAL_EXEMPTION: "A legal exemption applies to the data concerned.",
    DenialCode.NO_DATA: "We hold no personal data about you.",
}


def approve(
    session: Session, ctx: ServiceContext, request_id: str, *, actor: str, note: str | None = None
) -> SubjectRequest:
    """Start the work on a verified request (after manual approval where the type needs it)."""
    request = records.get_request(session, request_id)
    records.move(session, request, RequestState.IN_PROGRESS, actor=actor, reason=note or "approved")
    return request


def deny(
    session: Session, ctx: ServiceContext, request_id: str, *, actor: str, code: str, reason: str
) -> SubjectRequest:
    """Refuse a request with a reason code and a written reason; the subject is told how to complain."""
    request = records.get_request(session, request_id)
    denial = _denial_code(code)
    text = records.required(reason, "reason")
    if denial is DenialCode.REPEAT_REQUEST:
        _check_repeat_refusal(ctx, request, text)
    records.move(session, request, RequestState.DENIED, actor=actor, reason=f"{denial.value}: {text}")
    request.denial_code, request.denial_reason = denial.value, text
    _close(ctx, request, "denied")
    notify.to_subject(
        session,
        ctx,
        request,
        "denial",
        denial_summary=DENIAL_SUMMARIES[denial],
        reason=text,
        authorities=_authorities(ctx, request),
    )
    return request


def _denial_code(code: str) -> DenialCode:
    try:
        return DenialCode(code.strip().lower())
    except ValueError:
        known = ", ".join(c.value for c in DenialCode)
        raise errors.RequestRuleError(
            f"unknown denial code {code!r}; use one of: {known}", field="code"
        ) from None


def _check_repeat_refusal(ctx: ServiceContext, request: SubjectRequest, reason: str) -> None:
    repeat = request.flags.get("repeat") or {}
    regimes = ctx.catalog.regimes_for(request.regions)
    kind = rtypes.RequestType(request.request_type)
    check = repeats.RepeatCheck(
        kind,
        int(repeat.get("count_in_window", 0)),
        request.received_at.date(),
        tuple(repeat.get("refusable_under", ())),
        tuple(r.id for r in regimes if r.grants(kind)),
    )
    repeats.refuse_repeat(check, reason)


def _authorities(ctx: ServiceContext, request: SubjectRequest) -> list[dict[str, str | None]]:
    found = []
    for regime in ctx.catalog.regimes_for(request.regions):
        authority = ctx.authorities.get(regime.id)
        if authority is not None:
            found.append({"name": authority.name, "url": authority.url})
    return found


def extend(
    session: Session,
    ctx: ServiceContext,
    request_id: str,
    *,
    actor: str,
    reason: str,
    new_due: date | None = None,
) -> SubjectRequest:
    """Extend the response date under every regime that allows it; refused once the first period ended."""
    request = records.get_request(session, request_id)
    if states.is_terminal(RequestState(request.state)):
        raise errors.ExtensionRefused(
            f"the request is {request.state}; nothing is left to extend", field="state"
        )
    text = records.required(reason, "reason")
    computed = records.request_deadlines(ctx, request)
    if computed is None:
        raise errors.ExtensionRefused("no statutory deadline applies to this request", field="regime")
    now = ctx.now()
    target = new_due
    recorded = []
    for entry in computed.per_regime:
        if entry.regime.extension is None or entry.opt_out_clock:
            continue
        computed = rdeadlines.extend(computed, entry.regime, text, now, new_due=target)
        recorded.append(
            {
                "regime": entry.regime_id,
                "reason": text,
                "at": now.isoformat(),
                "new_due": target.isoformat() if target else None,
            }
        )
    if not recorded:
        raise errors.ExtensionRefused(
            "none of the regimes of this request allows an extension", field="regime"
        )
    request.extensions = [*(request.extensions or []), *recorded]
    records.apply_deadlines(request, computed)
    request.updated_at = now
    records.audit(
        session,
        actor,
        "request.extended",
        request,
        {"reason": text, "response_due": request.response_due.isoformat() if request.response_due else None},
    )
    notify.to_subject(session, ctx, request, "extension", reason=text)
    return request


def cancel(
    session: Session, ctx: ServiceContext, request_id: str, *, actor: str, reason: str
) -> SubjectRequest:
    """Withdraw a request (the subject asked, or it was filed by mistake)."""
    request = records.get_request(session, request_id)
    records.move(
        session, request, RequestState.CANCELLED, actor=actor, reason=records.required(reason, "reason")
    )
    _close(ctx, request, "cancelled")
    return request


def forward_to_controller(
    session: Session, ctx: ServiceContext, request_id: str, *, actor: str, controller: str
) -> SubjectRequest:
    """Pass a request about data processed for a customer to that customer, and tell the subject."""
    request = records.get_request(session, request_id)
    name = records.required(controller, "controller")
    records.move(
        session, request, RequestState.FORWARDED_TO_CONTROLLER, actor=actor, reason=f"forwarded to {name}"
    )
    _close(ctx, request, "forwarded to controller")
    notify.to_subject(session, ctx, request, "forwarded", other_controller=name)
    return request


def complete(
    session: Session,
    ctx: ServiceContext,
    request_id: str,
    *,
    actor: str,
    partial: bool = False,
    note: str | None = None,
    download_url: str = "",
    download_expires: str = "",
) -> SubjectRequest:
    """Close a request that was carried out; an erasure leaves a hashed suppression entry (ER-5)."""
    request = records.get_request(session, request_id)
    target = RequestState.PARTIALLY_COMPLETED if partial else RequestState.COMPLETED
    records.move(session, request, target, actor=actor, reason=note)
    _close(ctx, request, "complied in part" if partial else "complied")
    erasing = rtypes.RequestType(request.request_type) in ERASING
    if erasing:
        _suppress(session, request)
    notify.to_subject(
        session,
        ctx,
        request,
        "completion",
        erasure=erasing,
        partial=partial,
        note=note or "",
        scope_note=records.limitation_note(request),  # INT-4: why only categories are given
        download_url=download_url,  # AC-3: signed, expiring link to the access package
        download_expires=download_expires,
    )
    return request


def _suppress(session: Session, request: SubjectRequest) -> None:
    for identity in records.identities_of(session, request.id):
        exists = session.execute(
            sa.select(ErasureSuppression.id).where(
                ErasureSuppression.kind == identity.kind, ErasureSuppression.value_hash == identity.value_hash
            )
        ).first()
        if exists is None:
            session.add(
                ErasureSuppression(kind=identity.kind, value_hash=identity.value_hash, request_id=request.id)
            )
    session.flush()


def _close(ctx: ServiceContext, request: SubjectRequest, nature: str) -> None:
    request.closed_at = ctx.now()
    request.response_nature = nature
