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


def purge(session: Session, *, now: datetime, window_seconds: int, keep_seconds: int = 0) -> int:
    """Delete the rows of windows that have ended; returns how many were removed.

    Rows that started less than ``keep_seconds`` ago stay, for counters that look a window back.
    """
    current = min(window_start(now, window_seconds), int(now.timestamp()) - keep_seconds)
    result = session.execute(sa.delete(RateLimitWindow).where(RateLimitWindow.window_start < current))
    return int(getattr(result, "rowcount", 0) or 0)


def hits_in(session: Session, bucket: str, start: int) -> int:
    """Return the calls ``bucket`` made in the window starting at ``start`` (0 when none)."""
    found = session.execute(
        sa.select(RateLimitWindow.hits).where(
            RateLimitWindow.bucket == bucket, RateLimitWindow.window_start == start
        )
    ).scalar_one_or_none()
    return int(found or 0)


def unhit(session: Session, bucket: str, *, now: datetime, window_seconds: int) -> None:
    """Take back one call of ``bucket`` in the current window (a call that turned out legitimate)."""
    session.execute(
        sa.update(RateLimitWindow)
        .where(
            RateLimitWindow.bucket == bucket,
            RateLimitWindow.window_start == window_start(now, window_seconds),
            RateLimitWindow.hits > 0,
        )
        .values(hits=RateLimitWindow.hits - 1)
    )


def clear(session: Session, bucket: str) -> None:
    """Forget every window of ``bucket``."""
    session.execute(sa.delete(RateLimitWindow).where(RateLimitWindow.bucket == bucket))
