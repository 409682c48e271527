"""The privacy-center request form and the page where the subject enters the code and follows the request.

Server-rendered, no script needed: the form posts, the server answers with a redirect to the request's
page (its id is random and unguessable), and that page shows the state, the due dates and, while the
request waits for it, the code field.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from privacyops.api import deps
from privacyops.api.routes import requests as request_routes
from privacyops.manifest import identifying
from privacyops.requests import errors, intake, records, verify
from privacyops.requests import service as rservice
from privacyops.requests import types as rtypes
from privacyops.requests.context import ServiceContext
from privacyops.store.models.requests import SubjectRequest
from privacyops.web import agent_form, form_rights, pages, verified_browser
from privacyops.web.preferences import preferences_url

# Pages for people in a browser, not API operations: they stay out of the OpenAPI document.
router = APIRouter(
    prefix="/privacy", tags=["public pages"], dependencies=[deps.public()], include_in_schema=False
)
ContextDep = request_routes.ContextDep

REGION_CHOICES = (
    ("eu", "European Union / EEA"),
    ("uk", "United Kingdom"),
    ("ch", "Switzerland"),
    ("ca", "Canada"),
    ("us-ca", "California, USA"),
)
STATE_WORDS = {
    "awaiting_verification": "waiting for you to confirm it is you",
    "awaiting_agent_proof": "waiting for the agent's signed permission",
    "verified": "confirmed; we are preparing the answer",
    "awaiting_approval": "confirmed; waiting for our privacy team's approval",
    "in_progress": "in progress",
    "completed": "completed",
    "partially_completed": "partly completed",
    "denied": "refused (we wrote to you with the reasons)",
    "forwarded_to_controller": "passed on to the company responsible for the data",
    "cancelled": "cancelled",
    "deemed_refusal": "overdue",
}


def _shell(ctx: ServiceContext) -> dict[str, object]:
    return {"controller": ctx.controller, "privacy_inbox": ctx.privacy_inbox}


def _form(
    request: Request,
    ctx: ServiceContext,
    *,
    error: errors.RequestRuleError | None = None,
    values: dict[str, str] | None = None,
    code: int = 200,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    # Only the rights the manifest declares: for the region chosen (?region=), else for any region.
    manifest = request.app.state.services.manifest.manifest
    region = (values or {}).get("region") or None
    offered = form_rights.offered_types(ctx, manifest, region)
    context = {
        **_shell(ctx),
        "title": "Make a privacy request",
        "types": [(t.value, rtypes.info(t).summary) for t in offered],
        "regions": form_rights.offered_regions(ctx, manifest, REGION_CHOICES),
        "correctable": correction_choices(ctx),
        "error": error,
        "values": values or {},
    }
    return pages.templates.TemplateResponse(
        request, "request_form.html", context, status_code=code, headers=headers
    )


def correction_choices(ctx: ServiceContext) -> list[tuple[str, str]]:
    """Return (field, words) for each detail of the person's own a correction may name (RR-1)."""
    if ctx.correctable is None:
        return []
    found = []
    for name, category in ctx.correctable.choices:
        kind = identifying.category_kind(category)
        found.append((name, identifying.kind_word(kind) if kind else name.replace("_", " ")))
    return found


def _corrections(request_type: str, field: str, value: str) -> dict[str, str]:
    # The correction part of the form counts only for a correction, and only once a value is written.
    if request_type != rtypes.RequestType.RECTIFICATION.value or not value.strip():
        return {}
    return {field or "": value}


def _wait(exc: errors.RateLimited) -> dict[str, str]:
    return {"Retry-After": str(exc.retry_after)}


@router.get("/request", response_class=HTMLResponse, summary="The privacy request form")
def request_form(request: Request, ctx: ContextDep, region: str = "") -> HTMLResponse:
    """Show the form anyone can use to make a request (no account needed); ``?region=`` narrows the types."""
    return _form(request, ctx, values={"region": region[:20]} if region else None)


@router.post("/request", summary="Send the privacy request form")
def submit_form(
    request: Request,
    session: deps.SessionDep,
    services: deps.ServicesDep,
    ctx: ContextDep,
    request_type: Annotated[str, Form(alias="type")],
    email: Annotated[str, Form()],
    region: Annotated[str, Form()],
    details: Annotated[str, Form()] = "",
    correct_field: Annotated[str, Form()] = "",
    correct_value: Annotated[str, Form()] = "",
    for_someone_else: Annotated[str, Form()] = "",
    agent_name: Annotated[str, Form()] = "",
    agent_email: Annotated[str, Form()] = "",
    agent_attests: Annotated[str, Form()] = "",
    agent_document: Annotated[UploadFile | None, File()] = None,
) -> Response:
    """Record the request and send the subject to its page, where the code is entered."""
    values = {"type": request_type, "email": email, "region": region, "details": details,
              "correct_field": correct_field, "correct_value": correct_value,
              "for_someone_else": for_someone_else, "agent_name": agent_name, "agent_email": agent_email}
    limit = services.settings.evidence_max_bytes
    try:
        agent = agent_form.parse(
            for_someone_else, agent_name, agent_email, agent_attests, agent_document, limit
        )
        form_rights.check_offered(ctx, services.manifest.manifest, request_type, region)
        submission = intake.build_submission(
            request_type=request_type,
            identities=[("email", email)],
            regions=[region],
            channel="web_form",
            details=details,
            corrections=_corrections(request_type, correct_field, correct_value),
            via_agent=agent is not None,
            agent_proof=agent is not None and agent.proof,
        )
        subject_key = ctx.identity_hash(submission.primary.kind, submission.primary.value)
        request_routes.enforce_limits(services, ctx, "intake", request, subject_key=subject_key)
        result = rservice.submit(session, ctx, submission, actor="agent" if agent else "subject")
        if agent is not None and result.created:
            agent_form.record(session, result.request.id, agent, limit)
    except errors.RateLimited as exc:
        session.rollback()
        return _form(request, ctx, error=exc, values=values, code=status.HTTP_429_TOO_MANY_REQUESTS,
                     headers=_wait(exc))
    except errors.RequestRuleError as exc:
        session.rollback()
        return _form(request, ctx, error=exc, values=values, code=status.HTTP_422_UNPROCESSABLE_CONTENT)
    request_routes.commit_and_dispatch(session, services)
    if not result.created:
        context = {**_shell(ctx), "title": "Request already open"}
        return pages.templates.TemplateResponse(request, "request_linked.html", context)
    target = request.url_for("request_page", request_id=result.request.id)
    return RedirectResponse(str(target), status_code=status.HTTP_303_SEE_OTHER)


def _page(
    request: Request,
    ctx: ServiceContext,
    row: SubjectRequest,
    *,
    message: str | None = None,
    code: int = 200,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    context = {
        **_shell(ctx),
        "title": "Your privacy request",
        "req": row,
        "type_summary": rtypes.info(rtypes.RequestType(row.request_type)).summary,
        "state_words": STATE_WORDS.get(row.state, row.state),
        "message": message,
        "verification_note": records.limitation_note(row),
        "answer_scope": scope.value if (scope := records.answer_scope(row)) else None,
        # A verified subject may open their preference center from here (the request vouches for them).
        "preferences_url": preferences_url(ctx.key, row.subject_key) if row.verified_at else None,
        # Only in the browser that verified the request, by a link that expires within the hour.
        "package": verified_browser.package_link(request, ctx, request.app.state.services.settings, row),
    }
    return pages.templates.TemplateResponse(
        request, "request_status.html", context, status_code=code, headers=headers
    )


@router.get("/requests/{request_id}", response_class=HTMLResponse, summary="A request's page")
def request_page(
    request: Request, request_id: str, session: deps.SessionDep, ctx: ContextDep
) -> HTMLResponse:
    """Show the request's state and due dates, and the code field while it waits for verification."""
    try:
        row = records.get_request(session, request_id)
    except records.RequestNotFound:
        context = {**_shell(ctx), "title": "Request not found"}
        return pages.templates.TemplateResponse(request, "request_missing.html", context, status_code=404)
    return _page(request, ctx, row)


@router.post("/requests/{request_id}/verify", summary="Enter the code from the email")
def verify_form(
    request: Request,
    request_id: str,
    session: deps.SessionDep,
    services: deps.ServicesDep,
    ctx: ContextDep,
    code: Annotated[str, Form()],
) -> Response:
    """Check the code; a wrong one shows how many tries are left, a right one shows the verified request.

    The same limits as the API apply: per address and per person (429), and per request (locked, 409).
    """
    try:
        request_routes.enforce_limits(services, ctx, "verify", request, request_id=request_id)
        result = verify.verify_code(session, ctx, request_id, code)
    except records.RequestNotFound:
        return RedirectResponse(str(request.url_for("request_form")), status_code=status.HTTP_303_SEE_OTHER)
    except errors.RequestRuleError as exc:
        return _refused(request, session, ctx, request_id, exc)
    if result.ok or result.locked:
        request_routes.commit_and_dispatch(session, services)
    else:
        session.commit()
    if result.locked:
        return _page(request, ctx, result.request, message=result.message, code=status.HTTP_409_CONFLICT)
    if not result.ok:
        left = f" ({result.attempts_left} tries left)" if result.attempts_left else ""
        return _page(
            request,
            ctx,
            result.request,
            message=f"{result.message}{left}",
            code=status.HTTP_422_UNPROCESSABLE_CONTENT,
        )
    target = request.url_for("request_page", request_id=request_id)
    answer = RedirectResponse(str(target), status_code=status.HTTP_303_SEE_OTHER)
    verified_browser.remember(answer, request, ctx, services.settings, request_id)
    return answer


def _refused(
    request: Request, session: Session, ctx: ServiceContext, request_id: str, exc: errors.RequestRuleError
) -> Response:
    """Show the request's page with why the code was not checked: a rate limit (429) or its state (409)."""
    session.rollback()
    try:
        row = records.get_request(session, request_id)
    except records.RequestNotFound:
        return RedirectResponse(str(request.url_for("request_form")), status_code=status.HTTP_303_SEE_OTHER)
    if isinstance(exc, errors.RateLimited):
        return _page(request, ctx, row, message=exc.message, code=status.HTTP_429_TOO_MANY_REQUESTS,
                     headers=_wait(exc))
    return _page(request, ctx, row, message=exc.message, code=status.HTTP_409_CONFLICT)
