"""What the health routes ask of retention: open restores (readiness) and overdue data (an alert)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from privacyops.execution.tasks import build_env
from privacyops.retention import overdue, tombstones
from privacyops.settings import Settings

REPLAY_PENDING = "replay pending: run privacyops restore replay --since <backup time>"


def restore_state(session: Session) -> str:
    """Return ``ok``, or why the store is not ready: a declared restore has not been replayed (ER-3)."""
    return REPLAY_PENDING if tombstones.pending_restores(session) else "ok"


def overdue_report(settings: Settings, sessions: sessionmaker[Session]) -> dict[str, Any]:
    """Return the overdue items of every swept rule and whether any is overdue (ER-4)."""
    env = build_env(settings)
    try:
        items = overdue.overdue(env, sessions)
    finally:
        env.close()
    with sessions() as session:
        items = overdue.with_runs(session, items)
    late = [i for i in items if i.get("count")]
    unreachable = [i for i in items if i.get("count") is None]
    state = "overdue" if late else "unknown" if unreachable else "ok"
    return {"state": state, "items": items}
