"""The request log (RK-1, CCPA regulations §7101): six facts per request, kept at least 24 months.

For each request: the date received, its type, the manner in which it was made (channel), the date of
the response, its nature, and the basis of any denial. Records younger than ``KEEP_MONTHS`` are never
purged; older closed ones may be.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import astuple, dataclass, fields
from datetime import UTC, date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from privacyops.requests import calendars
from privacyops.store.models.requests import SubjectRequest

KEEP_MONTHS = 24


@dataclass(frozen=True)
class LogRow:
    """One line of the request log."""

    date_received: str
    request_type: str
    manner_received: str
    date_of_response: str
    nature_of_response: str
    basis_of_denial: str


COLUMNS = tuple(f.name for f in fields(LogRow))


def log_rows(session: Session, since: date) -> list[LogRow]:
    """Return the log lines of requests received on or after ``since``, oldest first."""
    start = datetime(since.year, since.month, since.day, tzinfo=UTC)
    query = (
        sa.select(SubjectRequest)
        .where(SubjectRequest.received_at >= start)
        .order_by(SubjectRequest.received_at, SubjectRequest.id)
    )
    return [to_row(r) for r in session.execute(query).scalars()]


def to_row(request: SubjectRequest) -> LogRow:
    """Return the six §7101 facts of one request (empty where there is no answer yet)."""
    basis = ""
    if request.denial_code:
        basis = f"{request.denial_code}: {request.denial_reason or ''}".strip()
    return LogRow(
        date_received=request.received_at.date().isoformat(),
        request_type=request.request_type,
        manner_received=request.channel,
        date_of_response=request.closed_at.date().isoformat() if request.closed_at else "",
        nature_of_response=request.response_nature or ("pending" if request.closed_at is None else ""),
        basis_of_denial=basis,
    )


def to_csv(rows: Iterable[LogRow]) -> str:
    """Return the rows as CSV text with a header line."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow(astuple(row))
    return buffer.getvalue()


def purge_old_records(session: Session, now: datetime, keep_months: int = KEEP_MONTHS) -> int:
    """Delete closed requests received more than ``keep_months`` ago; returns how many were removed."""
    cutoff_day = calendars.add_months(now.date(), -keep_months)
    cutoff = datetime(cutoff_day.year, cutoff_day.month, cutoff_day.day, tzinfo=now.tzinfo)
    old = sa.and_(SubjectRequest.closed_at.is_not(None), SubjectRequest.received_at < cutoff)
    ids = list(session.execute(sa.select(SubjectRequest.id).where(old)).scalars())
    if not ids:
        return 0
    session.execute(
        sa.update(SubjectRequest).where(SubjectRequest.duplicate_of.in_(ids)).values(duplicate_of=None)
    )
    session.execute(sa.delete(SubjectRequest).where(SubjectRequest.id.in_(ids)))
    return len(ids)
