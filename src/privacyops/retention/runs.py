"""Sweep runs as stored: started under a lease, counted batch by batch, finished and audited.

A run whose process died keeps status ``running`` with a lease in the past; the next run of the same
rule marks it ``interrupted`` and goes on from the same cut-off, so a crash never widens or loses work.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from privacyops.audit import chain
from privacyops.store.models.retention import RetentionRun

LEASE = timedelta(minutes=5)
ACTOR = "retention"


class RunBusy(RuntimeError):
    """Another process is sweeping this rule now."""


def start(
    session: Session, rule: str, cutoff: datetime, *, dry_run: bool, owner: str, now: datetime
) -> RetentionRun:
    """Open a run of ``rule``; take over an abandoned one (same cut-off), refuse while one is alive."""
    resumed: RetentionRun | None = None
    if not dry_run:
        for other in session.scalars(
            sa.select(RetentionRun)
            .where(
                RetentionRun.rule == rule, RetentionRun.status == "running", RetentionRun.dry_run.is_(False)
            )
            .with_for_update()
        ):
            if other.lease_until is not None and other.lease_until > now:
                raise RunBusy(
                    f"rule {rule} is being swept by {other.owner} (run {other.id}); try again later"
                )
            other.status, other.finished_at = "interrupted", now
            resumed = other
    run = RetentionRun(
        rule=rule,
        status="running",
        dry_run=dry_run,
        cutoff=resumed.cutoff if resumed else cutoff,
        rows={},
        held={},
        report={},
        errors=[],
        resumed_from=resumed.id if resumed else None,
        owner=owner,
        lease_until=now + LEASE,
        started_at=now,
    )
    session.add(run)
    session.flush()
    chain.append(
        session,
        actor=ACTOR,
        action="retention.run_started",
        entity="retention_run",
        entity_id=str(run.id),
        data={
            "rule": rule,
            "dry_run": dry_run,
            "cutoff": run.cutoff.isoformat(),
            "resumed_from": run.resumed_from,
        },
    )
    return run


def progress(
    session: Session, run_id: int, *, rows: Mapping[str, int], held: Mapping[str, int], now: datetime
) -> None:
    """Add one batch's counts to the run and extend its lease (the caller commits with the batch)."""
    run = session.get(RetentionRun, run_id, with_for_update=True)
    if run is None:
        return
    run.rows = _added(run.rows, rows)
    run.held = _added(run.held, held)
    run.lease_until = now + LEASE


def finish(
    session: Session, run_id: int, *, errors: list[str], report: Mapping[str, Any], now: datetime
) -> RetentionRun:
    """Close the run as done or failed, with its duration, and audit what it did."""
    run = session.get(RetentionRun, run_id, with_for_update=True)
    assert run is not None, "a run is finished by the process that started it"
    run.status = "failed" if errors else "done"
    run.errors = list(errors)
    run.report = dict(report)
    run.finished_at, run.lease_until = now, None
    run.seconds = max((now - run.started_at).total_seconds(), 0.0)
    chain.append(
        session,
        actor=ACTOR,
        action="retention.run_finished",
        entity="retention_run",
        entity_id=str(run.id),
        data={
            "rule": run.rule,
            "status": run.status,
            "dry_run": run.dry_run,
            "rows": run.rows,
            "held": run.held,
            "errors": len(run.errors),
        },
    )
    return run


def recent(session: Session, *, rule: str | None = None, limit: int = 50) -> list[RetentionRun]:
    """Return the latest runs, newest first."""
    query = sa.select(RetentionRun).order_by(RetentionRun.id.desc()).limit(limit)
    if rule:
        query = query.where(RetentionRun.rule == rule)
    return list(session.scalars(query))


def describe(run: RetentionRun) -> dict[str, Any]:
    """Return a run as plain values for the API and the CLI."""
    return {
        "id": run.id,
        "rule": run.rule,
        "status": run.status,
        "dry_run": run.dry_run,
        "cutoff": run.cutoff.isoformat(),
        "rows": run.rows,
        "held": run.held,
        "report": run.report,
        "errors": run.errors,
        "resumed_from": run.resumed_from,
        "started_at": run.started_at.isoformat(),
        "finished_at": run.finished_at.isoformat() if run.finished_at else None,
        "seconds": round(run.seconds, 3),
    }


def _added(current: Mapping[str, Any], more: Mapping[str, int]) -> dict[str, int]:
    total = {k: int(v) for k, v in current.items()}
    for key, value in more.items():
        if value:
            total[key] = total.get(key, 0) + int(value)
    return total
