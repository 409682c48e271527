"""``/api/v1/audit``: verify the audit chain and read events of one entity."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from fastapi import APIRouter, Query
from pydantic import BaseModel

from privacyops.api import deps
from privacyops.audit import chain
from privacyops.store.models import AuditEvent

router = APIRouter(prefix="/api/v1/audit", tags=["audit"])


class VerifyOut(BaseModel):
    ok: bool
    count: int
    first_bad_id: int | None
    reason: str | None


class AuditEventOut(BaseModel):
    id: int
    created_at: datetime
    actor: str
    action: str
    entity: str
    entity_id: str
    data: dict[str, Any]
    hash: str


@router.get("/verify", response_model=VerifyOut, dependencies=[deps.require_role("admin")])
def verify_chain(session: deps.SessionDep) -> VerifyOut:
    """Walk the whole audit chain and report the first row that was changed, removed or reordered."""
    result = chain.verify(session)
    return VerifyOut(ok=result.ok, count=result.count, first_bad_id=result.first_bad_id, reason=result.reason)


@router.get("/events", response_model=list[AuditEventOut], dependencies=[deps.require_role("reviewer")])
def list_events(
    session: deps.SessionDep,
    entity: str = Query(description="Kind of record, e.g. request"),
    entity_id: str = Query(description="Id of that record"),
    limit: int = Query(default=200, ge=1, le=1000),
) -> list[AuditEventOut]:
    """List the audit events of one record, oldest first."""
    rows = session.scalars(
        sa.select(AuditEvent)
        .where(AuditEvent.entity == entity, AuditEvent.entity_id == entity_id)
        .order_by(AuditEvent.id)
        .limit(limit)
    ).all()
    return [AuditEventOut.model_validate(row, from_attributes=True) for row in rows]
