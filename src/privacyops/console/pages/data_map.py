"""The data map: systems, datasets, categories and subprocessors as a picture and tables; lint and drift."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Annotated

from fastapi import Form, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from privacyops import jobs
from privacyops.api import deps
from privacyops.console import datamap, framework
from privacyops.console.users import Staff
from privacyops.discovery import drift, scans
from privacyops.manifest import lint
from privacyops.manifest.errors import Finding
from privacyops.manifest.schema import Manifest

log = logging.getLogger(__name__)
router = framework.page_router()
framework.add_nav("Data map", "console_data_map", order=40)
framework.add_message("scan-queued", "Scan queued: the worker samples the system; reload to see its result.")
(SCAN_TASK,) = jobs.needs("discovery_scan")
# Lint findings of a manifest, by its SHA-256: the manifest does not change while the service runs.
_FINDINGS: dict[str, list[Finding]] = {}


@router.get("/data-map", response_class=HTMLResponse)
def console_data_map(
    request: Request,
    staff: framework.Viewer,
    services: deps.ServicesDep,
    manifest: deps.ManifestDep,
    session: deps.SessionDep,
) -> HTMLResponse:
    """Draw the data map; list what the manifest declares, what its lint finds and the last scans' drift."""
    return _page(request, staff, services, manifest, session)


@router.post("/data-map/scan")
def console_start_scan(
    request: Request,
    staff: framework.AdminAction,
    services: deps.ServicesDep,
    manifest: deps.ManifestDep,
    session: deps.SessionDep,
    system: Annotated[str, Form()] = "",
) -> Response:
    """Queue a discovery scan of one system for the worker; the page shows it once it has run."""
    try:
        row = scans.start(session, manifest, system, actor=staff.actor)
    except scans.ScanRefused as exc:
        session.rollback()
        return _page(request, staff, services, manifest, session, error=str(exc), code=422)
    session.commit()
    try:
        services.queue.enqueue(SCAN_TASK, row.id)
    except Exception as exc:  # noqa: BLE001 - the scan stays queued and shows as such
        log.warning("could not queue %s: %s", SCAN_TASK, type(exc).__name__)
    target = request.url_for("console_data_map").path
    return RedirectResponse(f"{target}?done=scan-queued#h-drift", status_code=status.HTTP_303_SEE_OTHER)


def _page(
    request: Request,
    staff: Staff,
    services: deps.Services,
    manifest: Manifest,
    session: Session,
    *,
    error: str = "",
    code: int = 200,
) -> HTMLResponse:
    key = services.manifest.sha256 or ""
    if key not in _FINDINGS:
        _FINDINGS[key] = lint.lint(manifest, today=datetime.now(UTC).date())
    latest = scans.latest(session)
    systems = [
        (
            name,
            system,
            [
                (table_name, table, sorted({c for f in table.fields.values() for c in f.categories}))
                for table_name, table in system.tables.items()
            ],
        )
        for name, system in manifest.systems.items()
    ]
    return framework.render(
        request,
        staff,
        "data_map.html",
        {
            "title": "Data map",
            "graph": datamap.build(manifest),
            "systems": systems,
            "subprocessors": manifest.subprocessors,
            "findings": _FINDINGS[key],
            "manifest_path": services.manifest.path.name,
            "drifts": [drift.of(scan) for _name, scan in sorted(latest.items())],
            "scannable": scans.scannable(manifest),
            "error": error,
        },
        status_code=code,
    )
