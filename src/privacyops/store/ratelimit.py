"""A fixed-window counter kept in the store, so every API process counts against the same limit.

One row per bucket and window; a call adds one with a single ``INSERT ... ON CONFLICT DO UPDATE ...
RETURNING``, which is atomic on PostgreSQL and SQLite alike: two processes counting at once both see
their own increment, and neither can read a stale count.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from privacyops.store.models.limits import RateLimitWindow
from privacyops.store.upsert import insert_for


@dataclass(frozen=True)
class Count:
    """The calls a bucket made in the current window, and the seconds until that window ends."""

    hits: int
    resets_in: int


def window_start(now: datetime, window_seconds: int) -> int:
    """Return the start of the window ``now`` falls in, in seconds since the epoch."""
    epoch = int(now.timestamp())
    return epoch - epoch % window_seconds


def hit(session: Session, bucket: str, *, now: datetime, window_seconds: int) -> Count:
    """Count one call of ``bucket`` in the current window (in the caller's transaction)."""
    start = window_start(now, window_seconds)
    statement = (
        insert_for(session)(RateLimitWindow)
        .values(bucket=bucket, window_start=start, hits=1)
        .on_conflict_do_update(
            index_elements=["bucket", "window_start"], set_={"hits": RateLimitWindow.hits + 1}
        )
        .returning(RateLimitWindow.hits)
    )
    hits = int(session.execute(statement).scalar_one())
    return Count(hits, max(1, start + window_seconds - int(now.timestamp())))


def purge(session: Session, *, now: datetime, window_seconds: int) -> int:
    """Delete the rows of windows that have ended; returns how many were removed."""
    current = window_start(now, window_seconds)
    result = session.execute(sa.delete(RateLimitWindow).where(RateLimitWindow.window_start < current))
    return int(getattr(result, "rowcount", 0) or 0)
