"""The request queue: open requests by due date, coloured by the time left, with filters."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy import orm
from sqlalchemy.orm import Session

from privacyops.requests import states
from privacyops.store.models.requests import SubjectRequest

TERMINAL = sorted(state.value for state in states.TERMINAL)
SOON_DAYS = 7
PAGE_SIZE = 200
DUE_FILTERS = {"": "any", "overdue": "overdue", "week": f"due within {SOON_DAYS} days"}
STATUS_FILTERS = {"open": "open", "closed": "closed", "all": "all"}


@dataclass(frozen=True)
class Filters:
    """What the queue shows: open/closed/all, one state, one type, a due window."""

    status: str = "open"
    state: str = ""
    request_type: str = ""
    due: str = ""

    @classmethod
    def of(cls, status: str, state: str, request_type: str, due: str) -> Filters:
        """Return filters with unknown values dropped (a stale bookmark shows the default queue)."""
        return cls(
            status=status if status in STATUS_FILTERS else "open",
            state=state if state in {s.value for s in states.RequestState} else "",
            request_type=request_type,
            due=due if due in DUE_FILTERS else "",
        )


@dataclass(frozen=True)
class Row:
    """One line of the queue."""

    request: SubjectRequest
    days_left: int | None
    urgency: str  # ok, soon, late, done


def urgency(request: SubjectRequest, today: date) -> tuple[int | None, str]:
    """Return the days left to the response date and its colour class."""
    if request.state in TERMINAL:
        return None, "done"
    if request.response_due is None:
        return None, "ok"
    left = (request.response_due - today).days
    if left < 0:
        return left, "late"
    return left, "soon" if left <= SOON_DAYS else "ok"


def find(session: Session, filters: Filters, today: date, limit: int = PAGE_SIZE) -> list[Row]:
    """Return the queue's rows: the most urgent first, requests with no due date last."""
    # Only what the list shows: the sealed columns (contact, details) would be decrypted row by row.
    query = sa.select(SubjectRequest).options(
        orm.load_only(
            SubjectRequest.id,
            SubjectRequest.request_type,
            SubjectRequest.state,
            SubjectRequest.regions,
            SubjectRequest.response_due,
            SubjectRequest.received_at,
        )
    )
    if filters.status == "open":
        query = query.where(SubjectRequest.state.not_in(TERMINAL))
    elif filters.status == "closed":
        query = query.where(SubjectRequest.state.in_(TERMINAL))
    if filters.state:
        query = query.where(SubjectRequest.state == filters.state)
    if filters.request_type:
        query = query.where(SubjectRequest.request_type == filters.request_type)
    if filters.due == "overdue":
        query = query.where(SubjectRequest.response_due < today)
    elif filters.due == "week":
        query = query.where(SubjectRequest.response_due <= date.fromordinal(today.toordinal() + SOON_DAYS))
    query = query.order_by(
        SubjectRequest.response_due.is_(None), SubjectRequest.response_due, SubjectRequest.received_at
    ).limit(limit)
    return [Row(row, *urgency(row, today)) for row in session.scalars(query)]
