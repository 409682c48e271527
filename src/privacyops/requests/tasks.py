"""Scheduled and queued work of subject requests: send the outbox, purge codes, watch deadlines.

Imported by ``privacyops.jobs`` whenever a queue is built. Each task reads what it needs from the store
and is safe to run twice.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

from privacyops import jobs
from privacyops.manifest import load as manifest_load
from privacyops.requests import context, delivery, notify, records, report_log, throttle, verify
from privacyops.requests import deadlines as rdeadlines
from privacyops.requests.states import RequestState
from privacyops.store.models.requests import SubjectRequest

REMIND_DAYS_BEFORE = 3


def service_context(ctx: jobs.JobContext) -> context.ServiceContext:
    """Build the workflow context in the worker (the manifest is optional for these tasks)."""
    try:
        manifest = manifest_load.load_manifest(Path(ctx.settings.manifest))
    except Exception:  # a broken manifest must not stop mail and purges
        manifest = None
    return context.context_from(ctx.settings, manifest)


@jobs.task("requests_send_outbox", retries=5, retry_delay=5)
def send_outbox(ctx: jobs.JobContext, retry: bool = False) -> int:
    """Send every pending outbox message; returns how many were sent.

    A message the server refused waits for the next sweep (its warning is logged once per attempt);
    a server that is down is retried with backoff (see :mod:`privacyops.requests.delivery`).
    """
    return delivery.deliver(ctx, retry=retry)


@jobs.periodic("requests_outbox_sweep", minute="*")
def outbox_sweep(ctx: jobs.JobContext) -> int:
    """Send what an earlier run left behind (a crash, a mail server that was down)."""
    return delivery.deliver(ctx)


@jobs.periodic("requests_purge_verification", minute="*/10")
def purge_verification(ctx: jobs.JobContext) -> int:
    """Delete verification codes that were used or expired (INT-7)."""
    with ctx.sessions.begin() as session:
        return verify.purge_verification_data(session, service_context(ctx).now())


@jobs.periodic("requests_purge_rate_limits", minute="*/10")
def purge_rate_limits(ctx: jobs.JobContext) -> int:
    """Delete the counts of rate-limit windows that have ended."""
    limits = throttle.Limits.from_settings(ctx.settings)
    return throttle.purge(ctx.sessions, limits, now=datetime.now(UTC))


@jobs.periodic("requests_purge_records", minute="15", hour="3")
def purge_records(ctx: jobs.JobContext) -> int:
    """Delete closed requests older than the 24 months the request log must be kept (RK-1)."""
    with ctx.sessions.begin() as session:
        return report_log.purge_old_records(session, service_context(ctx).now())


@jobs.periodic("requests_deadline_watch", minute="5", hour="6")
def deadline_watch(ctx: jobs.JobContext) -> dict[str, int]:
    """Mark Canadian deemed refusals, and alert the privacy team to requests due soon or overdue."""
    service = service_context(ctx)
    with ctx.sessions.begin() as session:
        return watch_deadlines(session, service)


def watch_deadlines(session: sa.orm.Session, service: context.ServiceContext) -> dict[str, int]:
    """Apply what missed and coming due dates mean to open requests; returns counts per outcome."""
    now = service.now()
    horizon = now.date() + timedelta(days=REMIND_DAYS_BEFORE)
    open_due = sa.select(SubjectRequest).where(
        SubjectRequest.state.in_(records.OPEN_STATES),
        SubjectRequest.response_due.is_not(None),
        SubjectRequest.response_due <= horizon,
    )
    soon: list[str] = []
    late: list[str] = []
    refused = 0
    for request in session.execute(open_due.order_by(SubjectRequest.response_due)).scalars():
        computed = records.request_deadlines(service, request)
        report = rdeadlines.overdue(computed, now) if computed else None
        if report is None or not report.overdue:
            soon.append(f"{request.id}: {request.request_type}, due {request.response_due}")
            continue
        late.append(f"{request.id}: {request.request_type}, was due {request.response_due}")
        if report.deemed_refusal and request.state != RequestState.DEEMED_REFUSAL:
            records.move(
                session,
                request,
                RequestState.DEEMED_REFUSAL,
                actor="system",
                reason="the Canadian deadline passed: a deemed refusal; the data is held",
            )
            request.flags = {**(request.flags or {}), "hold_data": True}
            refused += 1
    if soon or late:
        lines = [f"overdue: {line}" for line in late] + [f"due soon: {line}" for line in soon]
        notify.to_team(session, service, f"{len(late)} overdue and {len(soon)} due soon", lines)
    return {"due_soon": len(soon), "overdue": len(late), "deemed_refusal": refused}
