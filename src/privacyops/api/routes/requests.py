"""Subject requests over HTTP: public intake and verification, and the authorised admin endpoints.

Anyone may file a request and enter the code sent to them (INT-1: no account, no fee). Everything else
needs a token: viewers read, reviewers decide and import. Bad input answers 4xx with
``{"detail": {"field": ..., "rule": ...}}`` and leaves the request unchanged.
"""

from __future__ import annotations

import logging
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, HTTPException, Query, Request, status
from fastapi.responses import PlainTextResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from privacyops import jobs
from privacyops.api import deps
from privacyops.execution import start
from privacyops.requests import (
    amend,
    context,
    decisions,
    email_import,
    errors,
    intake,
    records,
    report_log,
    throttle,
    tokens,
    verify,
)
from privacyops.requests import schemas as api
from privacyops.requests import service as rservice
from privacyops.requests import types as rtypes
from privacyops.requests.context import ServiceContext

log = logging.getLogger(__name__)

router = APIRouter(prefix="/api/v1/requests", tags=["subject requests"])
# After a change: start the run of a request that became ready, and send the change's messages.
RUN_TASK, OUTBOX_TASK = jobs.needs("execution_run_request", "requests_send_outbox")

Reviewer = Annotated[deps.Principal, deps.require_role("reviewer")]
Viewer = Annotated[deps.Principal, deps.require_role("viewer")]


def get_context(services: deps.ServicesDep) -> ServiceContext:
    """Build the workflow context from the app's settings and manifest."""
    return context.context_from(services.settings, services.manifest.manifest)


ContextDep = Annotated[ServiceContext, Depends(get_context)]
host_bearer = HTTPBearer(
    auto_error=False,
    scheme_name="HostToken",
    description="A signed-in account holder's token from the host application (HS256 JWT).",
)
HostCredentials = Annotated[HTTPAuthorizationCredentials | None, Depends(host_bearer)]


def enforce_limits(
    services: deps.Services,
    ctx: ServiceContext,
    action: str,
    http: Request,
    *,
    subject_key: str | None = None,
    request_id: str | None = None,
) -> None:
    """Count a public call against the rate limits of its client address and subject.

    Raises ``RateLimited``; call it before the route's own session is used (see ``throttle.enforce``).
    """
    caller = throttle.Caller(
        address=http.client.host if http.client else None, subject_key=subject_key, request_id=request_id
    )
    limits = throttle.Limits.from_settings(services.settings)
    throttle.enforce(services.sessions, limits, ctx.key, action, caller, now=ctx.now())


def commit_and_dispatch(session: Session, services: deps.Services) -> None:
    """Commit the change with its messages, then ask a worker to start ready runs and send the messages."""
    ready = start.became_ready(session)
    session.commit()
    # The run is queued first, so that a worker free for one task answers before it mails; a request
    # whose run was never queued is started by the periodic reconciler.
    calls: list[tuple[str, tuple[str, ...]]] = [(RUN_TASK, (request_id,)) for request_id in ready]
    for task, args in [*calls, (OUTBOX_TASK, ())]:
        try:
            services.queue.enqueue(task, *args)
        except Exception as exc:  # the periodic sweeps do the work later
            log.warning("could not queue %s: %s", task, type(exc).__name__)


# --- public ----------------------------------------------------------------------------------------


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=api.PublicRequest,
    dependencies=[deps.public()],
    summary="File a subject request (no account needed)",
    # The host token is optional: without it the request is verified by email code or data points.
    openapi_extra={"security": [{}, {"HostToken": []}]},
    responses={
        200: {"description": "Linked to an open request of the same subject and type"},
        429: {"description": "Too many requests from this address or for this person; see Retry-After"},
    },
)
def file_request(
    body: api.RequestIn,
    http: Request,
    session: deps.SessionDep,
    services: deps.ServicesDep,
    ctx: ContextDep,
    credentials: HostCredentials,
) -> Any:
    """Record a request; the subject is acknowledged and, where needed, sent a code by email.

    A host token (``Authorization: Bearer`` or ``host_token``) verifies a signed-in account holder at
    once; one too old for an erasure, correction or disclosure is refused (403) and nothing is stored.
    Without an account, ``data_points`` matched against the records decide how much may be disclosed.
    """
    token = body.host_token or (credentials.credentials if credentials else None)
    kind = rtypes.parse_request_type(body.type, field="type")
    host = _host_identity(ctx, token, kind) if token else None
    identities = intake.identities_from(body.identities) if body.identities or host is None else ()
    if host is not None:
        identities = tuple(verify.identities_with_host(host, identities))
    submission = intake.build_submission(
        request_type=body.type,
        identities=identities,
        regions=body.regions,
        channel="api",
        details=body.details,
        via_agent=body.via_agent,
        agent_proof=body.agent_proof,
        host=host,
        data_points=body.data_points,
        declaration_signed=body.declaration_signed,
        scope=body.scope,
        corrects=body.corrects,
        corrections=body.corrections,
        lookback=body.lookback,
    )
    subject_key = ctx.identity_hash(submission.primary.kind, submission.primary.value)
    enforce_limits(services, ctx, "intake", http, subject_key=subject_key)
    result = rservice.submit(session, ctx, submission, actor="subject")
    commit_and_dispatch(session, services)
    if not result.created:
        return api.linked_response()
    return api.public_view(result.request, ctx)


def _host_identity(ctx: ServiceContext, token: str, kind: rtypes.RequestType) -> tokens.HostIdentity:
    """Check a host token: 401 when it is not valid, 403 when the sign-in is too old for this request."""
    try:
        return verify.host_identity(ctx, token, kind)
    except errors.StepUpRequired as exc:
        raise HTTPException(
            status.HTTP_403_FORBIDDEN, detail={"field": exc.field, "rule": exc.message}
        ) from None
    except errors.TokenRefused as exc:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            detail={"field": exc.field, "rule": exc.message},
            headers={"WWW-Authenticate": 'Bearer realm="host application"'},
        ) from None


@router.get("/{request_id}/status", dependencies=[deps.public()], summary="Follow a request by its id")
def request_status(request_id: str, session: deps.SessionDep, ctx: ContextDep) -> api.PublicRequest:
    """Show state and due dates (never identities) to whoever holds the request's random id."""
    return api.public_view(records.get_request(session, request_id), ctx)


@router.post(
    "/{request_id}/verify",
    dependencies=[deps.public()],
    summary="Enter the code sent by email",
    responses={
        409: {"description": "The request took too many wrong codes and is locked"},
        429: {"description": "Too many codes entered from this address or for this person; see Retry-After"},
    },
)
def verify_request(
    request_id: str,
    body: api.CodeIn,
    http: Request,
    session: deps.SessionDep,
    services: deps.ServicesDep,
    ctx: ContextDep,
) -> api.PublicRequest:
    """Check the one-time code; five wrong codes or an expired one need a new code.

    Wrong codes also count against the request over its life (``PRIVACYOPS_VERIFY_MAX_FAILURES``): at
    the limit it locks (409) and only the privacy team can verify the person another way.
    """
    enforce_limits(services, ctx, "verify", http, request_id=request_id)
    result = verify.verify_code(session, ctx, request_id, body.code)
    if result.ok or result.locked:  # a run to start, or the team's alert about the lockout to send
        commit_and_dispatch(session, services)
    else:
        session.commit()  # the attempt counts whatever the outcome
    if not result.ok:
        code = status.HTTP_409_CONFLICT if result.locked else status.HTTP_422_UNPROCESSABLE_CONTENT
        raise HTTPException(
            code, detail={"field": "code", "rule": result.message, "attempts_left": result.attempts_left}
        )
    return api.public_view(result.request, ctx)


@router.post(
    "/{request_id}/verify/resend",
    status_code=status.HTTP_202_ACCEPTED,
    dependencies=[deps.public()],
    summary="Send a new code",
    responses={
        409: {"description": "All the request's codes were sent, or it is locked"},
        429: {"description": "Too many new codes asked from this address or for this person (Retry-After)"},
    },
)
def resend(
    request_id: str, http: Request, session: deps.SessionDep, services: deps.ServicesDep, ctx: ContextDep
) -> Any:
    """Send a fresh code to the address the request was filed with; the old one stops working.

    A request is sent at most ``PRIVACYOPS_VERIFY_MAX_CODES`` codes over its life (409 after that).
    """
    enforce_limits(services, ctx, "resend", http, request_id=request_id)
    verify.resend_code(session, ctx, request_id)
    commit_and_dispatch(session, services)
    return {"status": "sent"}


# --- admin: reading --------------------------------------------------------------------------------


@router.get("", summary="List requests")
def list_requests(
    session: deps.SessionDep,
    who: Viewer,
    state: str | None = None,
    type: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[api.RequestSummary]:
    """List requests, newest first, optionally by state and type."""
    return [api.summary(r) for r in api.find_requests(session, state=state, request_type=type, limit=limit)]


@router.get(
    "/log",
    summary="The request log (six CCPA §7101 fields) as CSV",
    response_class=PlainTextResponse,
    responses={200: {"content": {"text/csv": {"schema": {"type": "string"}}}, "description": "CSV"}},
)
def request_log(session: deps.SessionDep, who: Viewer, since: date) -> PlainTextResponse:
    """Export the request log of requests received on or after ``since``."""
    return PlainTextResponse(report_log.to_csv(report_log.log_rows(session, since)), media_type="text/csv")


@router.get("/{request_id}", summary="Show a request with its identities and history")
def show_request(request_id: str, session: deps.SessionDep, who: Viewer) -> api.RequestDetail:
    """Show everything about a request; identity values only to reviewers and admins."""
    request = records.get_request(session, request_id)
    return api.detail(session, request, reveal=deps.ROLE_RANK[who.role] >= deps.ROLE_RANK["reviewer"])


# --- admin: decisions ------------------------------------------------------------------------------


def _decided(session: Session, services: deps.Services, request: Any) -> api.RequestDetail:
    commit_and_dispatch(session, services)
    return api.detail(session, request, reveal=True)


@router.post("/{request_id}/approve", summary="Approve: start the work")
def approve(
    request_id: str,
    body: api.ApproveIn,
    who: Reviewer,
    session: deps.SessionDep,
    services: deps.ServicesDep,
    ctx: ContextDep,
) -> api.RequestDetail:
    """Move a verified request (or one awaiting approval) to in progress.

    A rectification's ``corrections`` may be amended here; they replace the subject's values.
    """
    if body.corrections is not None:
        amend.amend_corrections(session, ctx, request_id, body.corrections, actor=who.name)
    request = decisions.approve(session, ctx, request_id, actor=who.name, note=body.note)
    return _decided(session, services, request)


@router.post("/{request_id}/deny", summary="Deny with a reason code and reasons")
def deny(
    request_id: str,
    body: api.DenyIn,
    who: Reviewer,
    session: deps.SessionDep,
    services: deps.ServicesDep,
    ctx: ContextDep,
) -> api.RequestDetail:
    """Refuse the request; the subject is told why and how to complain."""
    request = decisions.deny(session, ctx, request_id, actor=who.name, code=body.code, reason=body.reason)
    return _decided(session, services, request)


@router.post("/{request_id}/extend", summary="Extend the response date")
def extend(
    request_id: str,
    body: api.ExtendIn,
    who: Reviewer,
    session: deps.SessionDep,
    services: deps.ServicesDep,
    ctx: ContextDep,
) -> api.RequestDetail:
    """Extend once, within the first period, with a reason the subject is sent."""
    request = decisions.extend(
        session, ctx, request_id, actor=who.name, reason=body.reason, new_due=body.new_due
    )
    return _decided(session, services, request)


@router.post("/{request_id}/cancel", summary="Cancel")
def cancel(
    request_id: str,
    body: api.ReasonIn,
    who: Reviewer,
    session: deps.SessionDep,
    services: deps.ServicesDep,
    ctx: ContextDep,
) -> api.RequestDetail:
    """Withdraw a request with a reason."""
    request = decisions.cancel(session, ctx, request_id, actor=who.name, reason=body.reason)
    return _decided(session, services, request)


@router.post("/{request_id}/mark-verified", summary="Record verification done another way")
def mark_verified(
    request_id: str,
    body: api.ReasonIn,
    who: Reviewer,
    session: deps.SessionDep,
    services: deps.ServicesDep,
    ctx: ContextDep,
) -> api.RequestDetail:
    """Record that the subject (or the agent's permission) was verified outside the code by email."""
    request = verify.mark_verified(session, ctx, request_id, actor=who.name, reason=body.reason)
    return _decided(session, services, request)


@router.post("/{request_id}/complete", summary="Record the request as carried out")
def complete(
    request_id: str,
    body: api.CompleteIn,
    who: Reviewer,
    session: deps.SessionDep,
    services: deps.ServicesDep,
    ctx: ContextDep,
) -> api.RequestDetail:
    """Close a request in progress; an erasure tells the subject a record and a hashed entry are kept."""
    request = decisions.complete(
        session, ctx, request_id, actor=who.name, partial=body.partial, note=body.note
    )
    return _decided(session, services, request)


@router.post("/{request_id}/forward", summary="Forward to the controller")
def forward(
    request_id: str,
    body: api.ForwardIn,
    who: Reviewer,
    session: deps.SessionDep,
    services: deps.ServicesDep,
    ctx: ContextDep,
) -> api.RequestDetail:
    """Pass a request about a customer's data to that customer (we process it for them)."""
    request = decisions.forward_to_controller(
        session, ctx, request_id, actor=who.name, controller=body.controller
    )
    return _decided(session, services, request)


# --- admin: imports --------------------------------------------------------------------------------


def _imported(
    session: Session, services: deps.Services, ctx: ServiceContext, submission: Any, who: Any
) -> Any:
    result = rservice.submit(session, ctx, submission, actor=who.name)
    commit_and_dispatch(session, services)
    return api.ImportResult(id=result.request.id, created=result.created, state=result.request.state)


@router.post(
    "/import/eml",
    summary="Import an email (.eml file)",
    openapi_extra={"requestBody": {"content": {"message/rfc822": {"schema": {"type": "string"}}}}},
)
async def import_eml(
    request: Request,
    who: Reviewer,
    session: deps.SessionDep,
    services: deps.ServicesDep,
    ctx: ContextDep,
    type: str | None = None,
    region: Annotated[list[str] | None, Query()] = None,
) -> api.ImportResult:
    """Create a request from a raw email; the Date header starts the clock, the Message-ID de-duplicates."""
    raw = await request.body()
    mail = email_import.parse_eml(raw)
    submission = email_import.submission_from_email(
        mail, request_type=type, regions=tuple(region or [ctx.default_region]), now=ctx.now()
    )
    result: api.ImportResult = _imported(session, services, ctx, submission, who)
    return result


@router.post("/import/inbound-email", summary="Inbound-email webhook")
def inbound_email(
    body: api.InboundEmailIn,
    who: Reviewer,
    session: deps.SessionDep,
    services: deps.ServicesDep,
    ctx: ContextDep,
) -> api.ImportResult:
    """Create a request from an email a mail provider forwards as JSON (or as the raw message)."""
    mail = body.to_inbound()
    submission = email_import.submission_from_email(
        mail, request_type=body.type, regions=tuple(body.regions), now=ctx.now()
    )
    result: api.ImportResult = _imported(session, services, ctx, submission, who)
    return result


@router.post("/import/ticket", summary="Import a request from another channel with its original time")
def import_ticket(
    body: Annotated[api.TicketIn, Body()],
    who: Reviewer,
    session: deps.SessionDep,
    services: deps.ServicesDep,
    ctx: ContextDep,
) -> api.ImportResult:
    """Create a request received through a ticket, chat or phone; the clock starts at ``received_at``."""
    submission = intake.build_submission(
        request_type=body.type,
        identities=body.identities,
        regions=body.regions,
        channel=body.channel,
        received_at=body.received_at,
        details=body.details,
        external_ref=body.external_ref,
        verified=body.verified,
    )
    result: api.ImportResult = _imported(session, services, ctx, submission, who)
    return result
