"""Steps that need an operator's eye, for ``/healthz``: stuck, slow, retrying after a timeout, or given up.

Each entry names the step, the system it waits on and why, never a person or a request: the health
check is public, and its reasons are connector messages, which name operations and tables only.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from privacyops.connectors.base import TIMED_OUT
from privacyops.execution import reconcile
from privacyops.execution.steps import StepState, is_abandoned
from privacyops.manifest.schema import Manifest
from privacyops.store.models.execution import ExecutionRun, ExecutionStep

SLOW_AFTER = timedelta(minutes=2)
LIMIT = 50
TABLE_IN_REASON = re.compile(r"\bon ([A-Za-z_][A-Za-z0-9_]*)")


def step_alerts(session: Session, manifest: Manifest | None, now: datetime) -> list[dict[str, Any]]:
    """Return one entry per step of an open run that is stuck, slow, retrying or timed out for good."""
    query = (sa.select(ExecutionStep).join(ExecutionRun, ExecutionRun.request_id == ExecutionStep.request_id)
             .where(ExecutionRun.status.in_((*reconcile.OPEN_RUNS, "failed")),
                    ExecutionStep.state.in_((StepState.RUNNING.value, StepState.PENDING.value,
                                             StepState.FAILED.value)))
             .order_by(ExecutionStep.updated_at))
    alerts = []
    for step in session.execute(query).scalars():
        kind = _kind(step, now)
        if kind is not None:
            alerts.append({"kind": kind, "step": step.name, "system": _system(manifest, step),
                           "tries": step.attempts, "since": step.updated_at.isoformat(),
                           "reason": step.reason})
        if len(alerts) >= LIMIT:
            break
    return alerts


def _kind(step: ExecutionStep, now: datetime) -> str | None:
    timed_out = TIMED_OUT in (step.reason or "")
    if step.state == StepState.RUNNING:
        if is_abandoned(step, now):
            return "stuck"  # its worker is gone; the reconciler hands it out again
        started = step.started_at or step.updated_at
        return "slow" if started <= now - SLOW_AFTER else None
    if step.state == StepState.PENDING:
        return "retrying" if timed_out else None
    return "timed_out" if timed_out else None


def _system(manifest: Manifest | None, step: ExecutionStep) -> str | None:
    """Name the system the step waits on: the one holding its table, or the table its reason names."""
    if step.target and "." in step.target:
        return step.target.split(".", 1)[0]  # a plan's table id: system.table
    tables = [step.target] if step.target else TABLE_IN_REASON.findall(step.reason or "")
    if manifest is None:
        return None
    for table in tables:
        for name, system in manifest.systems.items():
            if table in system.tables:
                return name
    return None
