"""``/api/v1/manifest`` and ``/api/v1/whoami``: what the service runs on, and who is asking."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated

from fastapi import APIRouter
from pydantic import BaseModel

from privacyops.api import deps
from privacyops.web import manifest_view

router = APIRouter(prefix="/api/v1", tags=["meta"])


class ManifestSummary(BaseModel):
    """A short description of the loaded manifest."""

    path: str
    sha256: str | None
    controller: str
    notice_title: str
    notice_last_updated: date | None
    notice_effective_date: date | None
    regions: list[str]
    data_categories: int
    purposes: int
    subprocessors: int
    systems: int


class WhoAmI(BaseModel):
    name: str
    role: str


@router.get("/manifest", response_model=ManifestSummary, dependencies=[deps.require_role("viewer")])
def manifest_summary(
    services: deps.ServicesDep, manifest: deps.ManifestDep, session: deps.SessionDep
) -> ManifestSummary:
    """Summarise the manifest the service was started with.

    The notice's last update is that of the published version in effect, else the manifest's own date;
    a manifest that states none gives none (never today).
    """
    from privacyops.lifecycle import freshness
    return ManifestSummary(
        path=str(services.manifest.path),
        sha256=services.manifest.sha256,
        controller=manifest_view.controller_name(manifest),
        notice_title=manifest.notice.title,
        notice_last_updated=freshness.notice_date(session, manifest, datetime.now(UTC).date()),
        notice_effective_date=manifest.notice.effective_date,
        regions=sorted(manifest.regions),
        data_categories=len(manifest.data_categories),
        purposes=len(manifest.purposes),
        subprocessors=len(manifest.subprocessors),
        systems=len(manifest.systems),
    )


@router.get("/whoami", response_model=WhoAmI)
def whoami(principal: Annotated[deps.Principal, deps.require_role("viewer")]) -> WhoAmI:
    """Name the token in use and its role."""
    return WhoAmI(name=principal.name, role=principal.role)
