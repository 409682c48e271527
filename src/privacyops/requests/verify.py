"""Verification steps: a one-time code by email, checking it, other proof, purging old codes (INT-3..7)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from privacyops.requests import errors, notify, records, verification
from privacyops.requests import types as rtypes
from privacyops.requests.context import ServiceContext
from privacyops.requests.states import RequestState
from privacyops.store.models.requests import (
    SubjectRequest,
    VerificationChallenge,
)

MAX_CODES_PER_REQUEST = 5


@dataclass(frozen=True)
class CodeResult:
    """The outcome of a code entered by the subject; ``request`` is unchanged unless ``ok``."""

    ok: bool
    message: str
    attempts_left: int
    request: SubjectRequest


def send_code(session: Session, ctx: ServiceContext, request: SubjectRequest) -> None:
    """Issue a fresh code (the earlier unused one stops working) and queue it to the subject."""
    if not request.contact_email:
        return  # verified another way (operator, host token); nothing to send
    sent = session.execute(
        sa.select(sa.func.count()).where(VerificationChallenge.request_id == request.id)
    ).scalar_one()
    if sent >= MAX_CODES_PER_REQUEST:
        raise errors.VerificationRefused(
            f"at most {MAX_CODES_PER_REQUEST} codes are sent for one request; write to {ctx.privacy_inbox}",
            field="code",
        )
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
    request = records.get_request(session, request_id)
    records.require_state(request, RequestState.AWAITING_VERIFICATION)
    send_code(session, ctx, request)
    return request


def verify_code(session: Session, ctx: ServiceContext, request_id: str, code: str) -> CodeResult:
    """Check a code; store the attempt whatever the outcome, and move the request on when it is right."""
    request = records.get_request(session, request_id)
    records.require_state(request, RequestState.AWAITING_VERIFICATION)
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
    if check.ok:
        records.move(
            session, request, RequestState.VERIFIED, actor="subject", reason="one-time code sent by email"
        )
        request.verified_at = ctx.now()
        route_verified(session, ctx, request)
    session.flush()
    return CodeResult(check.ok, check.message, check.attempts_left, request)


def mark_verified(
    session: Session, ctx: ServiceContext, request_id: str, *, actor: str, reason: str
) -> SubjectRequest:
    """Record that an operator verified the subject another way (signed token, documents, agent proof)."""
    request = records.get_request(session, request_id)
    records.move(
        session, request, RequestState.VERIFIED, actor=actor, reason=records.required(reason, "reason")
    )
    request.verified_at = ctx.now()
    route_verified(session, ctx, request)
    return request


def purge_verification_data(session: Session, now: datetime) -> int:
    """Delete codes that were used or expired (INT-7); returns how many were removed."""
    done = sa.or_(VerificationChallenge.used_at.is_not(None), VerificationChallenge.expires_at <= now)
    result = session.execute(sa.delete(VerificationChallenge).where(done))
    return int(getattr(result, "rowcount", 0) or 0)
