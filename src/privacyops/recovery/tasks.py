"""Queued recovery: a starting worker hands out what dead workers left; a sweep does it for other hosts.

``privacyops worker`` queues ``RECOVER_TASK`` as it starts: whichever worker takes it re-dispatches every
open run nobody is running, every unfinished OpenDSR request, and sends the outbox and the callbacks
(messages a dead sender had claimed are sent again with their own Message-ID or Idempotency-Key).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from privacyops import jobs
from privacyops.execution import start
from privacyops.execution.tasks import RUN_TASK
from privacyops.recovery import abandoned

log = logging.getLogger(__name__)

RECOVER_TASK = "recover_abandoned_work"
OPENDSR_PROCESS = "opendsr_process"
FOLLOW_UPS = ("requests_send_outbox", "opendsr_send_callbacks")
jobs.needs(RUN_TASK, OPENDSR_PROCESS, *FOLLOW_UPS)


@jobs.task(RECOVER_TASK, retries=5, retry_delay=5)
def recover(ctx: jobs.JobContext) -> dict[str, int]:
    """Dispatch again every run, OpenDSR request and message left unfinished; returns how many of each."""
    now = datetime.now(UTC)
    with ctx.sessions.begin() as session:
        runs = sorted({*abandoned.unattended_runs(session, now), *start.ready(session)})
        opendsr = abandoned.unfinished_opendsr(session, now)
    for request_id in runs:
        ctx.queue.enqueue(RUN_TASK, request_id)
    for request_pk in opendsr:
        ctx.queue.enqueue(OPENDSR_PROCESS, request_pk)
    for name in FOLLOW_UPS:
        ctx.queue.enqueue(name)
    if runs or opendsr:
        log.info("recovery: %d run(s) and %d OpenDSR request(s) dispatched again", len(runs), len(opendsr))
    return {"runs": len(runs), "opendsr": len(opendsr)}


@jobs.periodic("opendsr_reconcile", minute="*")
def reconcile_opendsr(ctx: jobs.JobContext) -> int:
    """Dispatch OpenDSR requests that made no move for a while (their worker died on another host)."""
    with ctx.sessions.begin() as session:
        ids = abandoned.unfinished_opendsr(session, datetime.now(UTC), abandoned.OPENDSR_IDLE)
    for request_pk in ids:
        ctx.queue.enqueue(OPENDSR_PROCESS, request_pk)
    return len(ids)
