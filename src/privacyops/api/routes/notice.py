"""``/api/v1/notice`` and ``/api/v1/disclosures``: notice versions, who was shown them, the ledger.

Versions serve the host application's UI; the disclosures ledger is behind the CCPA statements (NV-3).

The version list is public, as the notice is. The host application asks ``/notice/changes?after=N``
with the last version number a user saw, shows the material changes since, and reports the display
with its own user reference (kept as a keyed hash). Recording needs a reviewer token.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import sqlalchemy as sa
from fastapi import APIRouter, HTTPException, Query, status
from pydantic import BaseModel, Field

from privacyops.api import deps
from privacyops.api.routes.requests import ContextDep
from privacyops.lifecycle import disclosures, telling, versions
from privacyops.store.models.notice import NoticeVersion

router = APIRouter(prefix="/api/v1", tags=["notice versions and disclosures"])
Reviewer = Annotated[deps.Principal, deps.require_role("reviewer")]


class ChangeOut(BaseModel):
    """One classified change of a version."""

    kind: str
    text: str
    material: bool


class VersionOut(BaseModel):
    """A published version of the notice."""

    number: int
    version: str
    effective_date: dt.date
    material: bool
    url: str
    changes: list[ChangeOut]


class ChangesOut(BaseModel):
    """What a user who last saw version ``after`` should be shown."""

    current: int | None
    material: list[VersionOut]


class ShownIn(BaseModel):
    """The host application's reference of the user it showed a version to (kept only as a keyed hash)."""

    user_ref: str = Field(min_length=1, max_length=200)


class DisclosureIn(BaseModel):
    """A disclosure that happened: kind (sale, share, business_purpose), to whom, which CCPA letters."""

    kind: str = Field(max_length=24)
    recipient: str = Field(max_length=200)
    letters: list[str] = Field(max_length=11)
    occurred_at: dt.datetime | None = None
    purpose: str | None = Field(default=None, max_length=120)
    request_id: str | None = Field(default=None, max_length=32)


class DisclosureOut(BaseModel):
    """A disclosure of the ledger."""

    id: int
    kind: str
    recipient: str
    letters: list[str]
    purpose: str | None
    occurred_at: dt.datetime
    recorded_by: str
    request_id: str | None


def _out(row: NoticeVersion, public_url: str) -> VersionOut:
    return VersionOut(
        number=row.id,
        version=row.version,
        effective_date=row.effective_date,
        material=row.material,
        url=f"{public_url}/privacy/versions/{row.id}",
        changes=[
            ChangeOut(kind=c.kind, text=c.text, material=c.material) for c in versions.stored_changes(row)
        ],
    )


@router.get("/notice/versions", response_model=list[VersionOut], dependencies=[deps.public()])
def list_versions(session: deps.SessionDep, ctx: ContextDep) -> list[VersionOut]:
    """List every published version, newest first, with its changes from the one before."""
    return [_out(row, ctx.public_url) for row in versions.archive(session)]


@router.get("/notice/changes", response_model=ChangesOut, dependencies=[deps.public()])
def material_changes(
    session: deps.SessionDep,
    ctx: ContextDep,
    after: Annotated[int, Query(ge=0, le=2**31 - 1, description="The last version number the user saw.")] = 0,
) -> ChangesOut:
    """Return the material versions published after ``after``, for an in-app notice of the changes."""
    current = versions.current(session, ctx.now().date())
    rows = session.execute(
        sa.select(NoticeVersion)
        .where(NoticeVersion.id > after, NoticeVersion.material)
        .order_by(NoticeVersion.id)
    ).scalars()
    return ChangesOut(
        current=current.id if current else None, material=[_out(r, ctx.public_url) for r in rows]
    )


@router.post("/notice/versions/{number}/shown", status_code=status.HTTP_201_CREATED)
def version_shown(
    number: deps.RowId, body: ShownIn, session: deps.SessionDep, ctx: ContextDep, principal: Reviewer
) -> dict[str, Any]:
    """Record that the host application showed a version to one of its users (who was told when)."""
    row = session.get(NoticeVersion, number)
    if row is None:
        raise HTTPException(
            status.HTTP_404_NOT_FOUND, detail=f"number: there is no published version {number}"
        )
    recorded = telling.record_display(session, ctx, row, body.user_ref)
    session.commit()
    return {"number": number, "recorded": recorded}


@router.post("/disclosures", response_model=DisclosureOut, status_code=status.HTTP_201_CREATED)
def record_disclosure(
    body: DisclosureIn, session: deps.SessionDep, ctx: ContextDep, principal: Reviewer
) -> DisclosureOut:
    """Record a disclosure to a third party; a sale or share flips the notice's 'not sold or shared'."""
    now = ctx.now()
    row = disclosures.record(
        session,
        kind=body.kind,
        recipient=body.recipient,
        letters=body.letters,
        occurred_at=body.occurred_at or now,
        actor=f"token:{principal.name}",
        now=now,
        purpose=body.purpose,
        request_id=body.request_id,
    )
    session.commit()
    return DisclosureOut.model_validate(row, from_attributes=True)


@router.get("/disclosures", response_model=list[DisclosureOut], dependencies=[deps.require_role("viewer")])
def list_disclosures(
    session: deps.SessionDep,
    # A string with the date's shape: a date parameter would also take a number (seconds since 1970).
    since: Annotated[
        str | None, Query(pattern=r"^\d{4}-\d{2}-\d{2}$", description="From this day (YYYY-MM-DD).")
    ] = None,
) -> list[DisclosureOut]:
    """List the ledger, newest first."""
    try:
        day = dt.date.fromisoformat(since) if since else None
    except ValueError:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_ENTITY, detail={"field": "since", "rule": f"{since} is not a day"}
        ) from None
    start = dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC) if day else None
    return [
        DisclosureOut.model_validate(r, from_attributes=True) for r in disclosures.listing(session, start)
    ]
