"""A reviewer's decisions on a request from the console: approve, deny, extend, each with a reason.

The same service functions as the API's decision routes do the work, and the same commit-and-dispatch
starts the run and sends the subject's messages; a broken rule is shown on the request's page.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Annotated

from fastapi import Form, Request, status
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from privacyops.api import deps
from privacyops.api.routes import requests as request_routes
from privacyops.console import framework
from privacyops.console.pages.requests import request_context
from privacyops.console.users import Staff
from privacyops.requests import decisions, errors, records

router = framework.page_router()
ContextDep = request_routes.ContextDep
framework.add_message("approved", "Approved: the work has started.")
framework.add_message("denied", "Denied: the subject is told why and how to complain.")
framework.add_message("extended", "Extended: the subject is told the new date and why.")


def _decide(
    request: Request,
    request_id: str,
    staff: Staff,
    session: Session,
    services: deps.Services,
    act: Callable[[], object],
    done: str,
) -> Response:
    try:
        act()
    except errors.RequestRuleError as exc:
        session.rollback()
        try:
            row = records.get_request(session, request_id)
        except records.RequestNotFound:
            return RedirectResponse(request.url_for("console_requests").path, status_code=303)
        code = status.HTTP_409_CONFLICT if isinstance(exc, errors.IllegalTransition) else 422
        context = {**request_context(session, row, staff.role), "error": f"{exc.field}: {exc.message}"}
        return framework.render(request, staff, "request.html", context, status_code=code)
    request_routes.commit_and_dispatch(session, services)
    target = request.url_for("console_request", request_id=request_id).path
    return RedirectResponse(f"{target}?done={done}", status_code=status.HTTP_303_SEE_OTHER)


@router.post("/requests/{request_id}/approve")
def console_approve(
    request: Request,
    request_id: str,
    staff: framework.ReviewerAction,
    session: deps.SessionDep,
    services: deps.ServicesDep,
    ctx: ContextDep,
    note: Annotated[str, Form()] = "",
) -> Response:
    """Approve: the work starts."""

    def act() -> object:
        return decisions.approve(session, ctx, request_id, actor=staff.actor, note=note.strip() or None)

    return _decide(request, request_id, staff, session, services, act, "approved")


@router.post("/requests/{request_id}/deny")
def console_deny(
    request: Request,
    request_id: str,
    staff: framework.ReviewerAction,
    session: deps.SessionDep,
    services: deps.ServicesDep,
    ctx: ContextDep,
    code: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
) -> Response:
    """Deny with a reason code and the reasons the subject is sent."""

    def act() -> object:
        return decisions.deny(session, ctx, request_id, actor=staff.actor, code=code, reason=reason)

    return _decide(request, request_id, staff, session, services, act, "denied")


@router.post("/requests/{request_id}/extend")
def console_extend(
    request: Request,
    request_id: str,
    staff: framework.ReviewerAction,
    session: deps.SessionDep,
    services: deps.ServicesDep,
    ctx: ContextDep,
    reason: Annotated[str, Form()] = "",
    new_due: Annotated[str, Form()] = "",
) -> Response:
    """Extend the response date once, with the reason the subject is sent."""

    def act() -> object:
        return decisions.extend(
            session, ctx, request_id, actor=staff.actor, reason=reason, new_due=_date(new_due)
        )

    return _decide(request, request_id, staff, session, services, act, "extended")


def _date(text: str) -> date | None:
    if not text.strip():
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise errors.RequestRuleError("write the new date as YYYY-MM-DD", field="new_due") from None
