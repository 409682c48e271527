"""Console page of retention: overdue data, legal holds (added and released by admins) and sweep runs.

The same service functions as ``/api/v1/retention`` do the work; a hold that breaks a rule (no reason
code, an undeclared table) is shown on the page with the field at fault.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import Form, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from privacyops.api import deps
from privacyops.console import framework
from privacyops.console.users import Staff
from privacyops.requests.context import context_from
from privacyops.retention import health, holds, runs

router = framework.page_router()
framework.add_nav("Retention", "console_retention", order=45)
framework.add_message("hold-added", "Hold added: sweeps and erasures leave that data alone until it ends.")
framework.add_message("hold-released", "Hold released: the data falls under the rules at the next sweep.")
RUNS_SHOWN = 30


def _context(session: Session, services: deps.Services) -> dict[str, Any]:
    try:
        overdue = health.overdue_report(services.settings, services.sessions)
    except Exception:  # noqa: BLE001 - the page still lists holds and runs; the API route gives the cause
        overdue = {"state": "error", "items": []}
    return {
        "title": "Retention",
        "overdue": overdue,
        "holds": [holds.describe(h) for h in holds.listed(session, datetime.now(UTC))],
        "runs": [runs.describe(r) for r in runs.recent(session, limit=RUNS_SHOWN)],
        "scopes": holds.SCOPES,
    }


@router.get("/retention", response_class=HTMLResponse)
def console_retention(
    request: Request, staff: framework.Viewer, session: deps.SessionDep, services: deps.ServicesDep
) -> HTMLResponse:
    """Show what is overdue, the holds in force and the latest sweep runs."""
    return framework.render(request, staff, "retention.html", _context(session, services))


@router.post("/retention/holds")
def console_add_hold(
    request: Request,
    staff: framework.AdminAction,
    session: deps.SessionDep,
    services: deps.ServicesDep,
    scope: Annotated[str, Form()] = "",
    target: Annotated[str, Form()] = "",
    reason_code: Annotated[str, Form()] = "",
    identity_kind: Annotated[str, Form()] = "",
    expires_on: Annotated[str, Form()] = "",
) -> Response:
    """Add a legal hold (admins)."""
    manifest = services.manifest.manifest
    try:
        expires = _day(expires_on)
        if manifest is None:
            raise holds.HoldError("manifest", "the manifest is not loaded; fix it before adding holds")
        ctx = context_from(services.settings, manifest)
        holds.add(
            session,
            manifest,
            scope=scope,
            target=target,
            reason_code=reason_code,
            actor=staff.actor,
            hash_fn=ctx.identity_hash,
            identity_kind=identity_kind or None,
            expires_at=expires,
        )
    except holds.HoldError as exc:
        session.rollback()
        return _refused(request, staff, session, services, str(exc))
    session.commit()
    return _done(request, "hold-added")


@router.post("/retention/holds/{hold_id}/release")
def console_release_hold(
    request: Request,
    hold_id: deps.RowId,
    staff: framework.AdminAction,
    session: deps.SessionDep,
    services: deps.ServicesDep,
) -> Response:
    """Release a legal hold (admins)."""
    try:
        holds.release(session, hold_id, actor=staff.actor, now=datetime.now(UTC))
    except holds.HoldError as exc:
        session.rollback()
        return _refused(request, staff, session, services, str(exc))
    session.commit()
    return _done(request, "hold-released")


def _day(text: str) -> datetime | None:
    if not text.strip():
        return None
    try:
        return datetime.fromisoformat(text.strip()).replace(tzinfo=UTC)
    except ValueError:
        raise holds.HoldError("expires_on", "write a date such as 2027-01-31") from None


def _refused(
    request: Request, staff: Staff, session: Session, services: deps.Services, error: str
) -> Response:
    context = {**_context(session, services), "error": error}
    return framework.render(request, staff, "retention.html", context, status_code=422)


def _done(request: Request, key: str) -> Response:
    target = request.url_for("console_retention").path
    return RedirectResponse(f"{target}?done={key}", status_code=status.HTTP_303_SEE_OTHER)
