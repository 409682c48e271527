"""After the store was away (a restart, a failover): a worker gives back the claims it held and re-dispatches.

A thread that lost the store in the middle of a step or of a message gives up with an error, but its
claim stays in the store under a process that is still alive, so no other worker would take it until
its lease ran out (minutes). Only the process itself knows its threads let go: when its queue reaches
the server again, it sets every step and message it had claimed before the outage back to pending and
queues the recovery task, which dispatches the runs, the OpenDSR requests and the outbox again.
Running a step or sending a message again is safe (steps end the same way; a message keeps its
Message-ID), and a thread that did finish late finds its claim gone and its result is not recorded.
"""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Session

from privacyops.recovery import owners
from privacyops.store.models import outbox
from privacyops.store.models.execution import ExecutionStep

if TYPE_CHECKING:
    from privacyops.jobs import JobQueue

log = logging.getLogger(__name__)

REASON = "given back after the store was unreachable"


def give_back(session: Session, lost_at: datetime, now: datetime) -> tuple[int, int]:
    """Set this process's steps and messages claimed before ``lost_at`` back to pending; count each."""
    me = owners.this_process()
    steps = session.execute(
        sa.update(ExecutionStep)
        .where(ExecutionStep.state == "running", ExecutionStep.owner == me,
               ExecutionStep.started_at <= lost_at)
        .values(state="pending", lease_until=None, reason=REASON, updated_at=now)
        .execution_options(synchronize_session=False))
    messages = session.execute(
        sa.update(outbox.OutboxMessage)
        .where(outbox.OutboxMessage.state == outbox.SENDING, outbox.OutboxMessage.claimed_by == me,
               outbox.OutboxMessage.claimed_at <= lost_at)
        .values(state=outbox.PENDING, claimed_by=None)
        .execution_options(synchronize_session=False))
    return int(getattr(steps, "rowcount", 0)), int(getattr(messages, "rowcount", 0))


def resume(queue: JobQueue, lost_at: datetime, tries: int = 5) -> bool:
    """Give back what this process held when the store went away, then queue the recovery task."""
    from privacyops.recovery.tasks import RECOVER_TASK

    for _ in range(tries):
        try:
            with queue.context.sessions.begin() as session:
                steps, messages = give_back(session, lost_at, datetime.now(UTC))
            queue.enqueue(RECOVER_TASK)
        except Exception as exc:  # noqa: BLE001 - the store may still be starting: try again shortly
            log.warning("store reachable again, but recovery could not start yet: %s", type(exc).__name__)
            time.sleep(1)
            continue
        log.info("store reachable again: %d step(s) and %d message(s) given back, recovery queued",
                 steps, messages)
        return True
    return False
