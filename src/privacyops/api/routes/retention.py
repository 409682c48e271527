"""Retention over HTTP: sweep runs, legal holds and overdue data (ER-2, ER-4, DL-6).

Holds are added and released by admins and read by viewers; a subject hold is given an identity value
and stored only as its keyed hash, so the answer never repeats the value.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from privacyops.api import deps
from privacyops.manifest.types import IdentityKind
from privacyops.requests.context import context_from
from privacyops.retention import health, holds, runs

router = APIRouter(prefix="/api/v1/retention", tags=["retention"])

Admin = Annotated[deps.Principal, deps.require_role("admin")]
Viewer = Annotated[deps.Principal, deps.require_role("viewer")]


class HoldIn(BaseModel):
    """A legal hold: what it covers, why (a reason code such as tax or litigation) and until when."""

    scope: Literal["subject", "category", "table"]
    target: str = Field(
        min_length=1,
        max_length=300,
        description="The identity value (subject), the category key, or system.table.",
    )
    identity_kind: IdentityKind | None = Field(
        default=None, description="For a subject hold: email, user_id ..."
    )
    reason_code: str = Field(min_length=1, max_length=100, description="Why the data is kept, e.g. tax.")
    note: str | None = Field(default=None, max_length=2000)
    expires_at: datetime | None = Field(default=None, description="When the hold ends by itself (UTC).")


@router.get("/runs", summary="List retention sweep runs")
def list_runs(
    _who: Viewer,
    session: deps.SessionDep,
    rule: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> list[dict[str, Any]]:
    """List the latest runs, newest first: rule, status, rows per table, held rows, errors, duration."""
    return [runs.describe(r) for r in runs.recent(session, rule=rule, limit=limit)]


@router.get("/holds", summary="List legal holds")
def list_holds(_who: Viewer, session: deps.SessionDep, inactive: bool = False) -> list[dict[str, Any]]:
    """List the holds in force (``inactive=true``: released and expired ones too), newest first."""
    return [holds.describe(h) for h in holds.listed(session, datetime.now(UTC), include_inactive=inactive)]


@router.post("/holds", summary="Add a legal hold", status_code=status.HTTP_201_CREATED)
def add_hold(
    body: HoldIn, who: Admin, session: deps.SessionDep, manifest: deps.ManifestDep, settings: deps.SettingsDep
) -> dict[str, Any]:
    """Keep the data a hold covers out of sweeps and erasures until it is released or expires."""
    ctx = context_from(settings, manifest)
    expires = body.expires_at
    if expires is not None and expires.tzinfo is None:
        expires = expires.replace(tzinfo=UTC)
    hold = holds.add(
        session,
        manifest,
        scope=body.scope,
        target=body.target,
        reason_code=body.reason_code,
        actor=who.name,
        hash_fn=ctx.identity_hash,
        identity_kind=body.identity_kind,
        note=body.note,
        expires_at=expires,
    )
    session.commit()
    return holds.describe(hold)


@router.post(
    "/holds/{hold_id}/release",
    summary="Release a legal hold",
    responses={409: {"description": "The hold was already released or has expired."}},
)
def release_hold(hold_id: deps.RowId, who: Admin, session: deps.SessionDep) -> dict[str, Any]:
    """End a hold; the data it kept falls under the rules again at the next sweep."""
    hold = holds.release(session, hold_id, actor=who.name, now=datetime.now(UTC))
    session.commit()
    return holds.describe(hold)


@router.get("/overdue", summary="Data kept past its retention period")
def overdue(_who: Viewer, services: deps.ServicesDep) -> JSONResponse:
    """Rows still present after their rule's period and a day of grace; 200 with the list either way."""
    report = health.overdue_report(services.settings, services.sessions)
    return JSONResponse(report)
