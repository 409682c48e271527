"""The dashboard's figures: requests per week by type, days to respond, on-time rate, overdue count."""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

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
    closed_filter = (SubjectRequest.closed_at.is_not(None), SubjectRequest.closed_at >= year_ago)
    # Days and on-time are computed by the database: a year of closed requests stays one number each.
    days = [float(d) for d in session.scalars(sa.select(_days_open(session)).where(*closed_filter))]
    on_time_sql = sa.case((sa.func.date(SubjectRequest.closed_at) <= SubjectRequest.response_due, 1), else_=0)
    dated, in_time = session.execute(
        sa.select(sa.func.count(SubjectRequest.response_due), sa.func.sum(on_time_sql)).where(
            *closed_filter, SubjectRequest.response_due.is_not(None)
        )
    ).one()
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
        on_time_rate=round(100 * int(in_time or 0) / dated) if dated else None,
        closed=len(days),
        overdue=int(overdue or 0),
        open=int(still_open or 0),
    )


def _days_open(session: Session) -> sa.ColumnElement[Any]:
    """Return the SQL for days from receipt to closing, in the store's dialect."""
    if session.get_bind().dialect.name == "postgresql":
        return sa.extract("epoch", SubjectRequest.closed_at - SubjectRequest.received_at) / 86400
    return sa.func.julianday(SubjectRequest.closed_at) - sa.func.julianday(SubjectRequest.received_at)
