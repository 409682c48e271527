"""Find runs that stopped making progress (a killed worker, a lost queue message) and dispatch them again."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from privacyops.execution.steps import StepState, is_abandoned
from privacyops.store.models.execution import ExecutionRun, ExecutionStep

DEFAULT_IDLE = timedelta(minutes=2)
OPEN_RUNS = ("running", "waiting", "retrying")


def stalled(session: Session, now: datetime, idle: timedelta = DEFAULT_IDLE) -> list[str]:
    """Return requests with a step left running by a dead worker, or pending with no move for `idle`."""
    query = (sa.select(ExecutionStep).join(ExecutionRun, ExecutionRun.request_id == ExecutionStep.request_id)
             .where(ExecutionRun.status.in_(OPEN_RUNS),
                    ExecutionStep.state.in_((StepState.PENDING.value, StepState.RUNNING.value))))
    found: set[str] = set()
    for step in session.execute(query).scalars():
        dead = step.state == StepState.RUNNING and is_abandoned(step, now)
        idle_too_long = step.state == StepState.PENDING and step.updated_at <= now - idle
        if dead or idle_too_long:
            found.add(step.request_id)
    return sorted(found)


def reconcile(session: Session, now: datetime, dispatch: Callable[[str], object],
              idle: timedelta = DEFAULT_IDLE) -> list[str]:
    """Dispatch every stalled request again (running a step twice is safe); returns their ids."""
    ids = stalled(session, now, idle)
    for request_id in ids:
        dispatch(request_id)
    return ids
