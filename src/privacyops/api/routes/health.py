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


@router.get("/healthz", summary="Liveness and readiness")
def healthz(services: deps.ServicesDep) -> JSONResponse:
    """Answer 200 when the store, the manifest and the job queue all work, 503 otherwise."""
    checks = {
        "database": _database_state(services),
        "manifest": "ok" if services.manifest.loaded else "error",
        "queue": _probe("queue", services.queue.check),
    }
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
