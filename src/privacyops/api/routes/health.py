"""``/healthz``: is the database reachable, the manifest loaded and the queue usable."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse

import privacyops
from privacyops.api import deps
from privacyops.recovery import health
from privacyops.store import db

log = logging.getLogger(__name__)
router = APIRouter(tags=["health"], dependencies=[deps.public()])


def _probe(name: str, check: Any) -> str:
    try:
        check()
    except Exception:
        # The reason goes to the log for operators; the public answer only says which part failed.
        log.exception("health check of %s failed", name)
        return "error"
    return "ok"


def _database_state(services: deps.Services) -> str:
    if _probe("database", lambda: db.ping(services.engine)) != "ok":
        return "error"
    if _probe("database schema", lambda: _require_head(services)) != "ok":
        return "outdated schema: run privacyops db upgrade"
    return "ok"


def _require_head(services: deps.Services) -> None:
    current, head = db.revision_of(services.engine), db.head_revision()
    if current != head:
        raise RuntimeError(f"database at revision {current}, code expects {head}")


def _steps(services: deps.Services) -> dict[str, Any]:
    """List steps that are stuck, slow, retrying or timed out for good: an alert, not silence."""
    try:
        with services.sessions() as session:
            alerts = health.step_alerts(session, services.manifest.manifest, datetime.now(UTC))
    except Exception:
        log.exception("health check of steps failed")
        return {"state": "error", "alerts": []}
    return {"state": "alert" if alerts else "ok", "alerts": alerts}


def _notice(services: deps.Services) -> dict[str, Any]:
    """Warn from month 11 that the notice needs its yearly refresh (NV-1): an alert, not a failure."""
    from privacyops.lifecycle import freshness

    try:
        with services.sessions() as session:
            return freshness.notice_health(session, services.manifest.manifest, datetime.now(UTC).date())
    except Exception:
        log.exception("health check of the notice's age failed")
        return {"state": "error"}


def _restore(services: deps.Services) -> str:
    """Not ready while a declared backup restore waits for its erasure replay (ER-3)."""
    from privacyops.retention import health as retention_health

    with services.sessions() as session:
        return retention_health.restore_state(session)


@router.get("/healthz", summary="Liveness and readiness")
def healthz(services: deps.ServicesDep) -> JSONResponse:
    """Answer 200 when the store, the manifest and the job queue all work, 503 otherwise."""
    checks = {
        "database": _database_state(services),
        "manifest": "ok" if services.manifest.loaded else "error",
        "queue": _probe("queue", services.queue.check),
    }
    if checks["database"] == "ok":
        checks["restore"] = _restore(services)
    healthy = all(value == "ok" for value in checks.values())
    heartbeat = None
    if checks["queue"] == "ok":
        moment = services.queue.last_heartbeat()
        heartbeat = moment.isoformat() if moment else None
    body = {
        "status": "ok" if healthy else "error",
        # Not part of "status": a connected system that hangs is no reason to take this instance out.
        "steps": _steps(services) if checks["database"] == "ok" else None,
        "notice": _notice(services) if checks["database"] == "ok" else None,
        "version": privacyops.__version__,
        "checks": checks,
        "worker_in_process": services.settings.worker_in_process,
        "last_heartbeat": heartbeat,
    }
    return JSONResponse(body, status_code=200 if healthy else 503)


@router.get(
    "/healthz/retention",
    summary="Data kept past its retention period",
    responses={503: {"description": "Some rule has overdue rows, or the check could not run."}},
)
def retention_health(services: deps.ServicesDep) -> JSONResponse:
    """Answer 503 while a rule has overdue rows (ER-4): an alert for monitoring, apart from readiness."""
    from privacyops.retention import health as retention_health

    try:
        report = retention_health.overdue_report(services.settings, services.sessions)
    except Exception:
        log.exception("health check of retention failed")
        return JSONResponse({"state": "error", "items": []}, status_code=503)
    # The public answer names rules and counts; the admin route /api/v1/retention/overdue has the details.
    items = [{"rule": i["rule"], "count": i.get("count"), "due": i.get("due")} for i in report["items"]]
    return JSONResponse({"state": report["state"], "items": items},
                        status_code=503 if report["state"] == "overdue" else 200)
