"""Sending the outbox from the worker, backing off quietly while the mail server is down.

A mail server that is down is a state of the deployment, not an error of each message: the first
failed attempt logs one warning line (no traceback), later ones go to the debug log, and the next
attempt is queued with a doubling delay. The messages stay in the outbox meanwhile, their attempts
uncounted; the first run that reaches the server again sends them and says so once.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from privacyops import jobs
from privacyops.requests import mailer, outbox

log = logging.getLogger(__name__)

SEND_TASK = "requests_send_outbox"
FIRST_DELAY = 5.0
LONGEST_DELAY = 300.0


@dataclass
class Backoff:
    """When to try the mail server again, after how many failures in a row (one per process)."""

    first: float = FIRST_DELAY
    longest: float = LONGEST_DELAY
    failures: int = 0
    resume_at: float = 0.0
    retry_queued: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def waiting(self, now: float) -> bool:
        """Return True while the server is known down and the next attempt is not due."""
        with self.lock:
            return self.failures > 0 and now < self.resume_at

    def failed(self, now: float) -> tuple[int, float, bool]:
        """Count a failure; return the failures in a row, the delay, and whether to queue a retry."""
        with self.lock:
            delay = min(self.first * 2**self.failures, self.longest)
            self.failures += 1
            self.resume_at = now + delay
            queue_retry = not self.retry_queued
            self.retry_queued = True
            return self.failures, delay, queue_retry

    def reached(self) -> int:
        """Forget the failures (the server answered); return how many there were."""
        with self.lock:
            failures, self.failures, self.resume_at = self.failures, 0, 0.0
            return failures

    def retry_started(self) -> None:
        """Note that the queued retry runs now: a later failure may queue the next one."""
        with self.lock:
            self.retry_queued = False


BACKOFF = Backoff()


def deliver(
    ctx: jobs.JobContext,
    *,
    retry: bool = False,
    backoff: Backoff = BACKOFF,
    clock: Callable[[], float] = time.monotonic,
) -> int:
    """Send what waits in the outbox unless the server is down and not yet due; returns how many."""
    if retry:
        backoff.retry_started()
    elif backoff.waiting(clock()):
        return 0
    sender = mailer.outgoing_mailer(ctx.settings)
    report = outbox.dispatch_pending(ctx.sessions, sender, ctx.settings.mail_from)
    if report.unreachable is None:
        if backoff.reached():
            log.info("mail server reachable again: %d waiting message(s) sent", report.sent)
        return report.sent
    failures, delay, queue_retry = backoff.failed(clock())
    level = logging.WARNING if failures == 1 else logging.DEBUG
    log.log(level, "mail server unreachable (%s); messages wait in the outbox, next attempt in %.0f s "
            "(check PRIVACYOPS_SMTP_HOST and PRIVACYOPS_SMTP_PORT)", report.unreachable, delay)
    if queue_retry:
        ctx.queue.enqueue(SEND_TASK, retry=True, delay=delay)
    return report.sent
