"""The request queue and one request's page: timeline, plan, tasks and the decisions."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from fastapi import Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from privacyops.api import deps
from privacyops.console import framework, queue
from privacyops.execution import evidence_files, fanout
from privacyops.requests import decisions, records, states
from privacyops.requests import types as rtypes
from privacyops.store.models import AuditEvent, ExecutionRun, ExecutionStep
from privacyops.store.models.agents import RequestAgent
from privacyops.store.models.requests import SubjectRequest

router = framework.page_router()
framework.add_nav("Requests", "console_requests", order=10)
TYPES = [t.value for t in rtypes.RequestType]


@router.get("/requests", response_class=HTMLResponse)
def console_requests(
    request: Request,
    staff: framework.Viewer,
    session: deps.SessionDep,
    status: str = "open",
    state: str = "",
    type: str = "",  # noqa: A002 - the filter's name in the address
    due: str = "",
) -> HTMLResponse:
    """List requests, the most urgent first."""
    filters = queue.Filters.of(status, state, type if type in TYPES else "", due)
    today = datetime.now(UTC).date()
    rows = queue.find(session, filters, today)
    return framework.render(
        request,
        staff,
        "requests.html",
        {
            "title": "Requests",
            "rows": rows,
            "filters": filters,
            "types": TYPES,
            "states": [s.value for s in states.RequestState],
            "due_filters": queue.DUE_FILTERS,
            "status_filters": queue.STATUS_FILTERS,
            "page_size": queue.PAGE_SIZE,
        },
    )


@router.get("/requests/{request_id}", response_class=HTMLResponse)
def console_request(
    request: Request, request_id: str, staff: framework.Viewer, session: deps.SessionDep
) -> HTMLResponse:
    """Show one request with everything known about it, and the decisions open to a reviewer."""
    try:
        row = records.get_request(session, request_id)
    except records.RequestNotFound:
        return framework.render(
            request,
            staff,
            "denied.html",
            {
                "title": "No such request",
                "why": "No request has that reference. Check it, or find it in the queue.",
            },
            status_code=404,
        )
    return framework.render(request, staff, "request.html", request_context(session, row, staff.role))


def request_context(session: Session, row: SubjectRequest, role: str) -> dict[str, object]:
    """Gather what the request page shows; identity values only for reviewers and admins."""
    reveal = deps.ROLE_RANK[role] >= deps.ROLE_RANK["reviewer"]
    days_left, urgency = queue.urgency(row, datetime.now(UTC).date())
    steps = session.scalars(
        sa.select(ExecutionStep).where(ExecutionStep.request_id == row.id).order_by(ExecutionStep.number)
    ).all()
    events = session.scalars(
        sa.select(AuditEvent)
        .where(AuditEvent.entity == records.ENTITY, AuditEvent.entity_id == row.id)
        .order_by(AuditEvent.id)
    ).all()
    return {
        "title": f"Request {row.id[:8]}",
        "req": row,
        "days_left": days_left,
        "urgency": urgency,
        "identities": [(i.kind, i.value if reveal else None) for i in records.identities_of(session, row.id)],
        "history": records.history(session, row.id),
        "events": events,
        "run": session.get(ExecutionRun, row.id),
        "steps": steps,
        "tasks": fanout.tasks_of(session, row.id),
        "files": evidence_files.files_of(session, row.id),
        "agent": session.get(RequestAgent, row.id) if row.via_agent else None,
        "agent_shown": reveal,
        "denial_codes": [(code.value, decisions.DENIAL_SUMMARIES[code]) for code in decisions.DenialCode],
        "open": row.state not in queue.TERMINAL,
    }
