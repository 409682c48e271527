"""Find the work a dead worker left: runs nobody runs, OpenDSR requests nobody processes.

A queue message is gone once a worker takes it; a worker killed while it runs the message takes the
work with it. The store still says what is unfinished, so a worker that starts (and the periodic
sweeps) hand that work out again. Handing out too much is safe: a step is claimed with a
compare-and-set and an OpenDSR request is locked at each status change, so a second worker given the
same work finds it taken or done.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from privacyops.execution import fanout, reconcile
from privacyops.execution.steps import StepState, is_abandoned
from privacyops.store.models.execution import ExecutionRun, ExecutionStep
from privacyops.store.models.opendsr import OpendsrRequest

OPENDSR_OPEN = ("pending", "in_progress")
OPENDSR_IDLE = timedelta(minutes=2)


def unattended_runs(session: Session, now: datetime) -> list[str]:
    """Open runs that no live worker is running a step of (at a worker's start: all of them are orphans).

    A waiting run counts only once every recipient task is closed: until then there is nothing to do.
    """
    runs = session.execute(sa.select(ExecutionRun.request_id, ExecutionRun.status)
                           .where(ExecutionRun.status.in_(reconcile.OPEN_RUNS))).all()
    busy = {step.request_id for step in session.execute(
        sa.select(ExecutionStep).where(ExecutionStep.state == StepState.RUNNING.value)).scalars()
        if not is_abandoned(step, now)}
    found = []
    for request_id, status in runs:
        if request_id in busy:
            continue
        if status == "waiting" and not fanout.all_terminal(fanout.tasks_of(session, request_id)):
            continue
        found.append(request_id)
    return sorted(found)


def unfinished_opendsr(session: Session, now: datetime, idle: timedelta | None = None) -> list[int]:
    """OpenDSR requests still pending or in progress without a failure (idle for ``idle``, if given)."""
    query = sa.select(OpendsrRequest.id).where(OpendsrRequest.status.in_(OPENDSR_OPEN),
                                               OpendsrRequest.failure.is_(None))
    if idle is not None:
        query = query.where(OpendsrRequest.updated_at <= now - idle)
    return list(session.execute(query.order_by(OpendsrRequest.id)).scalars())
