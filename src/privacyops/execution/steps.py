"""Persisted steps of a run: their states, how a worker claims one, and how its outcome is recorded."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from privacyops.recovery import owners
from privacyops.store.models.execution import ExecutionStep

DEFAULT_LEASE = timedelta(minutes=5)


class StepState(StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    BLOCKED = "blocked"


TERMINAL = frozenset({StepState.DONE, StepState.FAILED, StepState.BLOCKED})


@dataclass(frozen=True)
class StepSpec:
    """A step to create: its name, what it does and the table or recipient it acts on."""

    name: str
    operation: str
    target: str | None = None


def this_worker() -> str:
    """Name the running process (host and pid), so a restarted worker on this host can tell it died."""
    return owners.this_process()


def create_steps(session: Session, request_id: str, specs: list[StepSpec]) -> list[ExecutionStep]:
    """Add the steps of a run, numbered from 1, all pending."""
    rows = [ExecutionStep(request_id=request_id, number=i, name=s.name, operation=s.operation,
                          target=s.target, state=StepState.PENDING.value, attempts=0, rows=0)
            for i, s in enumerate(specs, 1)]
    session.add_all(rows)
    session.flush()
    return rows


def steps_of(session: Session, request_id: str) -> list[ExecutionStep]:
    """Return the steps of a run in order."""
    query = sa.select(ExecutionStep).where(ExecutionStep.request_id == request_id)
    return list(session.execute(query.order_by(ExecutionStep.number)).scalars())


def is_abandoned(step: ExecutionStep, now: datetime) -> bool:
    """Tell whether a running step's worker is gone: its lease ran out, or it was a dead process here."""
    if step.state != StepState.RUNNING:
        return False
    if step.lease_until is None or step.lease_until <= now:
        return True
    return owners.gone(step.owner)


def claim(session: Session, step: ExecutionStep, now: datetime, lease: timedelta = DEFAULT_LEASE) -> bool:
    """Mark a pending or abandoned step running for this worker; False if someone else holds it."""
    if step.state not in (StepState.PENDING, StepState.RUNNING):
        return False
    if step.state == StepState.RUNNING and not is_abandoned(step, now):
        return False
    # Compare-and-set on the attempt count: two workers claiming at once cannot both win.
    values = {"state": StepState.RUNNING.value, "attempts": step.attempts + 1, "owner": this_worker(),
              "started_at": now, "lease_until": now + lease, "updated_at": now}
    result = session.execute(
        sa.update(ExecutionStep)
        .where(ExecutionStep.id == step.id, ExecutionStep.attempts == step.attempts,
               ExecutionStep.state == step.state)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if not getattr(result, "rowcount", 0):
        return False
    # The row now holds exactly these values: note them as loaded instead of reading the row back.
    for name, value in values.items():
        set_committed_value(step, name, value)
    return True


def finish(step: ExecutionStep, state: StepState, now: datetime, *, rows: int = 0,
           reason: str | None = None) -> None:
    """Record a step's outcome (the caller commits it together with its audit event)."""
    step.state = state.value
    step.rows = rows
    step.reason = reason
    step.finished_at = now if state in TERMINAL else None
    step.lease_until = None
    step.updated_at = now


def release(step: ExecutionStep, now: datetime, reason: str) -> None:
    """Give a claimed step back as pending (it waits for something outside, e.g. recipient tasks)."""
    step.state = StepState.PENDING.value
    step.reason = reason
    step.lease_until = None
    step.updated_at = now
