"""The dashboard's figures: requests per week by type, days to respond, on-time rate, overdue count."""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from privacyops.console import queue
from privacyops.store.models.requests import SubjectRequest

WEEKS = 12


@dataclass(frozen=True)
class Figures:
    """What the dashboard shows."""

    weeks: list[date]  # the Monday of each week, oldest first
    per_week: dict[str, list[int]]  # request type -> count per week
    median_days: float | None
    on_time_rate: float | None
    closed: int
    overdue: int
    open: int


def monday(day: date) -> date:
    """Return the Monday of the week of ``day``."""
    return day - timedelta(days=day.weekday())


def figures(session: Session, today: date) -> Figures:
    """Compute the dashboard's figures over the last ``WEEKS`` weeks (closing figures: the last year)."""
    weeks = [monday(today) - timedelta(weeks=n) for n in range(WEEKS - 1, -1, -1)]
    since = datetime.combine(weeks[0], datetime.min.time(), UTC)
    received = session.execute(
        sa.select(SubjectRequest.received_at, SubjectRequest.request_type).where(
            SubjectRequest.received_at >= since
        )
    ).all()
    counts = Counter((monday(at.date()), kind) for at, kind in received)
    kinds = sorted({kind for _at, kind in received})
    per_week = {kind: [counts[(week, kind)] for week in weeks] for kind in kinds}
    year_ago = datetime.combine(today - timedelta(days=365), datetime.min.time(), UTC)
    closed = session.execute(
        sa.select(SubjectRequest.received_at, SubjectRequest.closed_at, SubjectRequest.response_due).where(
            SubjectRequest.closed_at.is_not(None), SubjectRequest.closed_at >= year_ago
        )
    ).all()
    spans = [(got, done, due) for got, done, due in closed if done is not None]
    days = [(done - got).total_seconds() / 86400 for got, done, _due in spans]
    on_time = [done.date() <= due for _got, done, due in spans if due is not None]
    open_filter = SubjectRequest.state.not_in(queue.TERMINAL)
    overdue = session.scalar(
        sa.select(sa.func.count())
        .select_from(SubjectRequest)
        .where(open_filter, SubjectRequest.response_due < today)
    )
    still_open = session.scalar(sa.select(sa.func.count()).select_from(SubjectRequest).where(open_filter))
    return Figures(
        weeks=weeks,
        per_week=per_week,
        median_days=round(statistics.median(days), 1) if days else None,
        on_time_rate=round(100 * sum(on_time) / len(on_time)) if on_time else None,
        closed=len(closed),
        overdue=int(overdue or 0),
        open=int(still_open or 0),
    )
