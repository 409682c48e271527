"""How many codes a request may be sent and how many wrong ones it may take, over its whole life.

Each code gives five tries, so without a bound per request, asking for new codes would buy unlimited
guesses at a six-digit code. The counts live on the request (codes are replaced and purged, the request
is not); past ``PRIVACYOPS_VERIFY_MAX_FAILURES`` wrong codes the request locks: the lockout is written to
the audit log and the privacy team is alerted, who can still verify the person another way.
"""

from __future__ import annotations

import logging

from sqlalchemy.orm import Session

from privacyops.requests import errors, notify, records, verification
from privacyops.requests.context import ServiceContext
from privacyops.store.models.requests import SubjectRequest

log = logging.getLogger(__name__)


def code_budget(ctx: ServiceContext, request: SubjectRequest) -> verification.Budget:
    """Return what the request has used of its codes and wrong guesses (PRIVACYOPS_VERIFY_MAX_*)."""
    return verification.Budget(
        codes_sent=request.verification_codes_sent or 0,
        failures=request.verification_failures or 0,
        max_codes=ctx.max_codes,
        max_failures=ctx.max_code_failures,
    )


def locked_message(ctx: ServiceContext, budget: verification.Budget) -> str:
    """Say that the request is locked, and how the person can still be verified."""
    return (
        f"this request took {budget.failures} wrong codes and is locked; no new code can be sent. "
        f"Write to {ctx.privacy_inbox} with the reference, and we will confirm it is you another way"
    )


def check_can_send(ctx: ServiceContext, budget: verification.Budget) -> None:
    """Raise ``VerificationLocked`` when the request may not be sent another code."""
    if budget.locked:
        raise errors.VerificationLocked(locked_message(ctx, budget), field="code")
    if not budget.can_send:
        raise errors.VerificationLocked(
            f"all {budget.max_codes} codes for this request were sent; enter the last one, or write to "
            f"{ctx.privacy_inbox} with the reference",
            field="code",
        )


def count_failure(
    session: Session, ctx: ServiceContext, request: SubjectRequest, budget: verification.Budget
) -> verification.Budget:
    """Count a wrong code against the request; at the limit, lock it, audit it and alert the team."""
    request.verification_failures = budget.failures + 1
    counted = code_budget(ctx, request)
    if counted.locked:
        # Counts only: the audit log and the alert never hold the code or the identity.
        counts: dict[str, object] = {"wrong_codes": counted.failures, "codes_sent": counted.codes_sent}
        counts["limit"] = counted.max_failures
        records.audit(session, "system", "request.verification_locked", request, counts)
        notify.to_team(
            session,
            ctx,
            "a request was locked after too many wrong codes",
            [f"{request.id}: {counted.failures} wrong codes over {counted.codes_sent} code(s) sent; "
             "confirm the person's identity another way (mark-verified) or deny the request"],
        )
        log.warning("a request was locked after %d wrong codes (see the audit log)", counted.failures)
    return counted
