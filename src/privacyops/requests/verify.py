"""Verification steps: a one-time code by email, checking it, other proof, purging old codes (INT-3..7).

How a request was verified is kept on it (``flags["verification"]``): the method (``email_code``,
``host_token``, ``points``, ``operator``), and for data points the level reached, the answer it allows
and why. The offered values themselves are never stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from privacyops.requests import (
    decisions,
    errors,
    intake,
    levels,
    lockout,
    notify,
    records,
    tokens,
    verification,
)
from privacyops.requests import types as rtypes
from privacyops.requests.context import ServiceContext
from privacyops.requests.states import RequestState
from privacyops.store.models.requests import (
    SubjectRequest,
    VerificationChallenge,
)


@dataclass(frozen=True)
class CodeResult:
    """The outcome of a code entered by the subject; ``request`` is unchanged unless ``ok``.

    ``locked``: the request took too many wrong codes over its life and no code verifies it any more.
    """

    ok: bool
    message: str
    attempts_left: int
    request: SubjectRequest
    locked: bool = False


def send_code(session: Session, ctx: ServiceContext, request: SubjectRequest) -> None:
    """Issue a fresh code (the earlier unused one stops working) and queue it to the subject.

    Raises ``VerificationLocked`` once the request has had all its codes, or too many wrong ones.
    """
    if not request.contact_email:
        return  # verified another way (operator, host token); nothing to send
    budget = lockout.code_budget(ctx, request)
    lockout.check_can_send(ctx, budget)
    request.verification_codes_sent = budget.codes_sent + 1
    now = ctx.now()
    session.execute(
        sa.delete(VerificationChallenge).where(
            VerificationChallenge.request_id == request.id, VerificationChallenge.used_at.is_(None)
        )
    )
    code, record = verification.issue_code(ctx.key, request_id=request.id, now=now, ttl=ctx.code_ttl)
    session.add(
        VerificationChallenge(
            request_id=request.id,
            code_hash=record.code_hash,
            channel=record.channel,
            issued_at=record.issued_at,
            expires_at=record.expires_at,
            failed_attempts=0,
        )
    )
    ttl_minutes = int(ctx.code_ttl.total_seconds() // 60)
    notify.to_subject(session, ctx, request, "verification", code=code, ttl_minutes=ttl_minutes)
    session.flush()


def route_verified(session: Session, ctx: ServiceContext, request: SubjectRequest) -> None:
    """Send a verified request to manual approval when its type needs it (PRIVACYOPS_APPROVAL_REQUIRED)."""
    if rtypes.RequestType(request.request_type) in ctx.approval_types:
        records.move(
            session,
            request,
            RequestState.AWAITING_APPROVAL,
            actor="system",
            reason="this request type is approved by a person before it runs",
        )


def resend_code(session: Session, ctx: ServiceContext, request_id: str) -> SubjectRequest:
    """Send a fresh code (the earlier one stops working), for a request still awaiting verification."""
    request = records.get_request(session, request_id, for_update=True)  # two resends count as two
    records.require_state(request, RequestState.AWAITING_VERIFICATION)
    send_code(session, ctx, request)
    return request


def verify_code(session: Session, ctx: ServiceContext, request_id: str, code: str) -> CodeResult:
    """Check a code; store the attempt whatever the outcome, and move the request on when it is right.

    Raises ``VerificationLocked`` when the request already took too many wrong codes over its life.
    """
    # Locked for the transaction: concurrent guesses are counted one after the other, none is lost.
    request = records.get_request(session, request_id, for_update=True)
    records.require_state(request, RequestState.AWAITING_VERIFICATION)
    levels.check_correction_channel(corrected_fields(request), ["email"])  # INT-5
    budget = lockout.code_budget(ctx, request)
    if budget.locked:
        raise errors.VerificationLocked(lockout.locked_message(ctx, budget), field="code")
    row = session.execute(
        sa.select(VerificationChallenge)
        .where(VerificationChallenge.request_id == request.id)
        .order_by(VerificationChallenge.id.desc())
        .limit(1)
    ).scalar_one_or_none()
    if row is None:
        return CodeResult(False, "no code is active for this request; ask for a new one", 0, request)
    record = verification.CodeRecord(
        request.id,
        row.code_hash,
        row.channel,
        row.issued_at,
        row.expires_at,
        row.failed_attempts,
        row.used_at,
    )
    check = verification.check_code(record, code, ctx.key, now=ctx.now())
    row.failed_attempts = check.record.failed_attempts
    row.used_at = check.record.used_at
    if check.record.failed_attempts > record.failed_attempts:
        budget = lockout.count_failure(session, ctx, request, budget)
        if budget.locked:
            session.flush()
            return CodeResult(False, lockout.locked_message(ctx, budget), 0, request, locked=True)
    message = check.message
    if check.ok and "points" in (request.flags or {}):
        outcome = settle_points(session, ctx, request, email_verified=True)
        message = outcome.reason
    elif check.ok:
        records.move(
            session, request, RequestState.VERIFIED, actor="subject", reason="one-time code sent by email"
        )
        request.verified_at = ctx.now()
        _record_method(request, {"method": "email_code"})
        route_verified(session, ctx, request)
    session.flush()
    return CodeResult(check.ok, message, min(check.attempts_left, budget.failures_left), request)



def mark_verified(
    session: Session, ctx: ServiceContext, request_id: str, *, actor: str, reason: str
) -> SubjectRequest:
    """Record that an operator verified the subject another way (signed token, documents, agent proof)."""
    request = records.get_request(session, request_id)
    records.move(
        session, request, RequestState.VERIFIED, actor=actor, reason=records.required(reason, "reason")
    )
    request.verified_at = ctx.now()
    _record_method(request, {"method": "operator"})
    route_verified(session, ctx, request)
    return request


# --- account holders: a signed token from the host application (INT-3) ---------------------------------


def host_identity(ctx: ServiceContext, token: str, request_type: rtypes.RequestType) -> tokens.HostIdentity:
    """Return the account holder a host token vouches for; raises ``TokenRefused`` (or ``StepUpRequired``)."""
    if not ctx.host_token_key:
        raise errors.TokenRefused("this deployment does not accept host tokens", field="token")
    return tokens.verify_host_token(
        token, ctx.host_token_key, request_type=request_type, now=ctx.now(), step_up_window=ctx.step_up_window
    )


def identities_with_host(
    host: tokens.HostIdentity, given: tuple[intake.Identity, ...] | list[intake.Identity]
) -> list[intake.Identity]:
    """Return the token's identities plus the others given; a given email or user id must be the token's."""
    vouched = [intake.normalise_identity("user_id", host.user_id, field="token")]
    if host.email:
        vouched.append(intake.normalise_identity("email", host.email, field="token"))
    kinds = {i.kind: i for i in vouched}
    for identity in given:
        own = kinds.get(identity.kind)
        if own is not None and own != identity:
            raise errors.RequestRuleError(
                f"the {identity.kind} given is not the signed-in account's; leave it out or sign in as "
                "that account",
                field=f"identities.{identity.kind}",
            )
    return [*vouched, *(i for i in given if i.kind not in kinds)]


def verify_account_holder(
    session: Session, ctx: ServiceContext, request: SubjectRequest, host: tokens.HostIdentity
) -> None:
    """Move a new request to verified on the host application's word, recorded as ``host_token``."""
    records.move(
        session,
        request,
        RequestState.VERIFIED,
        actor="subject",
        reason="signed-in account holder, vouched for by the host application (host_token)",
    )
    now = ctx.now()
    request.verified_at = now
    age = int((now - host.issued_at).total_seconds())
    _record_method(request, {"method": "host_token", "signed_in_seconds_ago": age})
    records.audit(session, "subject", "request.verified", request, {"method": "host_token", "token_age": age})
    route_verified(session, ctx, request)


# --- people without an account: data points (INT-4) and the correction rule (INT-5) --------------------


def check_points(ctx: ServiceContext, submission: intake.Submission) -> dict[str, Any] | None:
    """Match the offered data points before the request is stored; None when none were offered."""
    corrected = submission.corrects
    if submission.host is None and not submission.verified:
        channels = [name.rpartition(".")[2] for name, _ in submission.data_points]
        if submission.contact_email:
            channels.append("email")  # the code goes to this address
        levels.check_correction_channel(corrected, channels)
    if not submission.data_points or submission.host is not None or submission.verified:
        return None
    if ctx.points is None:
        raise errors.VerificationRefused(
            "data points cannot be checked: the manifest declares no system that holds them; "
            "verify by the code sent by email",
            field="data_points",
        )
    found = ctx.points.match(submission.identities, dict(submission.data_points))
    return {
        "offered": [name for name, _ in submission.data_points],
        "matched": list(found.matched),
        "found_by": list(found.found_by),
        "declaration": submission.declaration_signed,
        "scope_asked": submission.scope.value if submission.scope else None,
    }


def settle_points(
    session: Session, ctx: ServiceContext, request: SubjectRequest, *, email_verified: bool
) -> levels.LevelOutcome:
    """Decide the level reached on the matched points (plus a verified email the records hold).

    Verified: the request moves on and keeps the answer it allows (categories or specific pieces).
    Not verified: it is denied as unverifiable, and the subject is told why and how to complain.
    """
    points = dict(request.flags.get("points") or {})
    matched = len(points.get("matched", []))
    if email_verified and "email" in points.get("found_by", []):
        matched += 1  # the address the code reached is one the records hold
    scope_asked = points.get("scope_asked")
    outcome = levels.assess_points(
        rtypes.RequestType(request.request_type),
        matched_points=matched,
        signed_declaration=bool(points.get("declaration")),
        scope=rtypes.AccessScope(scope_asked) if scope_asked else None,
    )
    _record_method(
        request,
        {
            "method": "points",
            "verified": outcome.verified,
            "points": matched,
            "declaration": bool(points.get("declaration")),
            "level": outcome.reached.value,
            "required": outcome.required.value,
            "scope": outcome.scope.value if outcome.scope else None,
            "reason": outcome.reason,
        },
    )
    if outcome.verified:
        records.move(session, request, RequestState.VERIFIED, actor="subject", reason=outcome.reason)
        request.verified_at = ctx.now()
        route_verified(session, ctx, request)
    else:
        decisions.deny(session, ctx, request.id, actor="system", code="unverifiable", reason=outcome.reason)
    return outcome


def corrected_fields(request: SubjectRequest) -> list[str]:
    """Return the names of the fields a rectification corrects (empty for other requests)."""
    return list((request.flags or {}).get("corrects") or [])


def _record_method(request: SubjectRequest, record: dict[str, Any]) -> None:
    request.flags = {**(request.flags or {}), "verification": record}  # a new dict: JSON change tracked


def purge_verification_data(session: Session, now: datetime) -> int:
    """Delete codes that were used or expired (INT-7); returns how many were removed."""
    done = sa.or_(VerificationChallenge.used_at.is_not(None), VerificationChallenge.expires_at <= now)
    result = session.execute(sa.delete(VerificationChallenge).where(done))
    return int(getattr(result, "rowcount", 0) or 0)
