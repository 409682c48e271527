"""The audit log: the newest events first, filters, and a button that verifies the whole chain."""

from __future__ import annotations

import sqlalchemy as sa
from fastapi import Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from privacyops.api import deps
from privacyops.audit import chain
from privacyops.console import framework
from privacyops.console.users import Staff
from privacyops.store.models import AuditEvent

router = framework.page_router()
framework.add_nav("Audit log", "console_audit", role="reviewer", order=60)
PAGE = 100


@router.get("/audit", response_class=HTMLResponse)
def console_audit(
    request: Request,
    staff: framework.Reviewer,
    session: deps.SessionDep,
    entity: str = "",
    action: str = "",
    before: int = 0,
) -> HTMLResponse:
    """List audit events, newest first, a page at a time."""
    return _page(request, staff, session, entity=entity, action=action, before=before)


def _page(
    request: Request,
    staff: Staff,
    session: Session,
    *,
    entity: str = "",
    action: str = "",
    before: int = 0,
    verified: chain.VerifyResult | None = None,
) -> HTMLResponse:
    query = sa.select(AuditEvent)
    if entity:
        query = query.where(AuditEvent.entity == entity)
    if action:
        query = query.where(AuditEvent.action == action)
    if before > 0:
        query = query.where(AuditEvent.id < before)
    events = session.scalars(query.order_by(AuditEvent.id.desc()).limit(PAGE)).all()
    entities = session.scalars(sa.select(AuditEvent.entity).distinct().order_by(AuditEvent.entity)).all()
    return framework.render(
        request,
        staff,
        "audit.html",
        {
            "title": "Audit log",
            "events": events,
            "entity": entity,
            "action": action,
            "entities": entities,
            "older": events[-1].id if len(events) == PAGE else None,
            "verified": verified,
        },
    )


@router.post("/audit/verify", response_class=HTMLResponse)
def console_verify_chain(
    request: Request, staff: framework.AdminAction, session: deps.SessionDep
) -> HTMLResponse:
    """Walk the whole chain; name the first row changed, removed or reordered."""
    result = chain.verify(session)
    session.rollback()
    chain.append(
        session,
        actor=staff.actor,
        action="audit.chain_verified",
        entity="audit_chain",
        entity_id="1",
        data={"ok": result.ok, "count": result.count, "first_bad_id": result.first_bad_id},
    )
    session.commit()
    return _page(request, staff, session, verified=result)
