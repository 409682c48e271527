"""Server-side console sessions: a random cookie, kept only as its SHA-256, that expires.

A session ends after ``console_idle_minutes`` without a request, and in any case
``console_session_minutes`` after sign-in; signing out or disabling the user ends it at once.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from privacyops.store.models.console import ConsoleSession, ConsoleUser

# Sliding the expiry writes to the store; doing it at most once a minute keeps page views read-only.
SLIDE_STEP = timedelta(minutes=1)


@dataclass(frozen=True)
class Lifetime:
    """How long a session lives: idle limit and absolute limit."""

    idle: timedelta
    absolute: timedelta


def digest(token: str) -> str:
    """Return the stored form of a session cookie."""
    return hashlib.sha256(token.encode()).hexdigest()


def start(
    session: Session, user: ConsoleUser, lifetime: Lifetime, now: datetime
) -> tuple[ConsoleSession, str]:
    """Open a session for ``user``; return it and the cookie value (shown to the browser only)."""
    token = secrets.token_urlsafe(32)
    row = ConsoleSession(
        token_sha256=digest(token),
        user_id=user.id,
        csrf_token=secrets.token_urlsafe(32),
        created_at=now,
        expires_at=min(now + lifetime.idle, now + lifetime.absolute),
    )
    session.add(row)
    session.flush()
    return row, token


def find_live(
    session: Session, token: str, lifetime: Lifetime, now: datetime
) -> tuple[ConsoleSession, ConsoleUser] | None:
    """Return the live session of a cookie and its enabled user, sliding the idle expiry."""
    found = session.execute(
        sa.select(ConsoleSession, ConsoleUser)
        .join(ConsoleUser, ConsoleUser.id == ConsoleSession.user_id)
        .where(ConsoleSession.token_sha256 == digest(token), ConsoleSession.ended_at.is_(None))
    ).first()
    if found is None:
        return None
    row, user = found
    if row.expires_at <= now or user.disabled_at is not None:
        return None
    slid = min(now + lifetime.idle, row.created_at + lifetime.absolute)
    if slid - row.expires_at >= SLIDE_STEP:
        row.expires_at = slid
        session.commit()
    return row, user


def end(session: Session, token: str, now: datetime) -> ConsoleSession | None:
    """End the session of a cookie; return it if it was open."""
    row = session.execute(
        sa.select(ConsoleSession).where(
            ConsoleSession.token_sha256 == digest(token), ConsoleSession.ended_at.is_(None)
        )
    ).scalar_one_or_none()
    if row is not None:
        row.ended_at = now
    return row


def end_all(session: Session, user_id: int) -> int:
    """End every open session of a user; return how many."""
    result = session.execute(
        sa.update(ConsoleSession)
        .where(ConsoleSession.user_id == user_id, ConsoleSession.ended_at.is_(None))
        .values(ended_at=datetime.now(UTC))
    )
    return int(getattr(result, "rowcount", 0) or 0)
