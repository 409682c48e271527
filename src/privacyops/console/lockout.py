"""Sign-in throttling: attempts counted per user name and per client address, then a pause.

The counts live in the store's rate-limit windows (:mod:`privacyops.store.ratelimit`), shared by every
API process; a bucket holds the keyed hash of the name or address, never the value. An attempt is
counted before its password is checked, so a burst of parallel guesses cannot outrun the count; a
successful sign-in takes its attempts back.

A user name (or address) whose attempts reach the limit within one window is paused until the end of
the next window: for at least ``console_lockout_minutes``, at most twice that. Names that exist and
names that do not are counted and paused alike, so the pause tells nothing about who has an account.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from privacyops.audit import chain
from privacyops.settings import Settings
from privacyops.store import ratelimit

LOCKED_ACTION = "console.sign_in_paused"


@dataclass(frozen=True)
class Policy:
    """How many attempts a user name and a client address may make per window, and the window."""

    per_name: int
    per_address: int  # 0: addresses are not counted
    window_seconds: int

    @classmethod
    def from_settings(cls, settings: Settings) -> Policy:
        """Read the policy from ``PRIVACYOPS_CONSOLE_SIGN_IN_*`` and ``..._LOCKOUT_MINUTES``."""
        return cls(
            per_name=settings.console_sign_in_attempts,
            per_address=settings.console_sign_in_attempts_per_address,
            window_seconds=settings.console_lockout_minutes * 60,
        )


@dataclass(frozen=True)
class Attempt:
    """One counted attempt: its buckets, whether it may go on, and what reached a limit with it."""

    name_bucket: str
    address_bucket: str | None
    paused_for: int  # seconds; 0: the password may be checked
    reached: tuple[str, ...]  # "name" and/or "address": this attempt was the last one allowed
    pause_after: int  # seconds the pause lasts if this attempt, the last one allowed, fails

    @property
    def paused(self) -> bool:
        """Tell whether sign-in is paused for this name or address."""
        return self.paused_for > 0


def count(
    sessions: sessionmaker[Session],
    policy: Policy,
    key: bytes,
    *,
    username: str,
    address: str | None,
    now: datetime,
) -> Attempt:
    """Count an attempt in its own committed transaction (before the password is checked)."""
    name_bucket = "console-sign-in:name:" + chain.identity_hash(f"console-user:{username}", key=key)
    address_bucket = None
    if address and policy.per_address:
        address_bucket = "console-sign-in:client:" + chain.identity_hash(f"client:{address}", key=key)
    checks = [(name_bucket, policy.per_name, "name"), (address_bucket, policy.per_address, "address")]
    paused_for = pause_after = 0
    reached: list[str] = []
    with sessions.begin() as session:
        for bucket, allowed, label in checks:
            if bucket is None:
                continue
            wait, last = _count_one(session, bucket, allowed, policy.window_seconds, now)
            if last:
                reached.append(label)
                pause_after = max(pause_after, wait)
            else:
                paused_for = max(paused_for, wait)
    return Attempt(name_bucket, address_bucket, paused_for, tuple(reached), pause_after)


def _count_one(session: Session, bucket: str, allowed: int, window: int, now: datetime) -> tuple[int, bool]:
    """Count one bucket; return the seconds of its pause and whether this was its last attempt.

    For the last attempt allowed, the seconds are those of the pause it starts if it fails.
    """
    current = ratelimit.hit(session, bucket, now=now, window_seconds=window)
    through_next = current.resets_in + window
    if current.hits > allowed:  # the limit was reached in this window: paused through the next one
        return through_next, False
    previous = ratelimit.hits_in(session, bucket, ratelimit.window_start(now, window) - window)
    if previous >= allowed:  # the last window reached the limit: paused through this one at least
        return (through_next if current.hits == allowed else current.resets_in), False
    return (through_next, True) if current.hits == allowed else (0, False)


def forgive(session: Session, policy: Policy, attempt: Attempt, *, now: datetime) -> None:
    """Take back a successful attempt: the name starts afresh, the address gets its attempt back.

    Runs in the sign-in's own transaction (the caller commits), which has already read the user.
    """
    ratelimit.clear(session, attempt.name_bucket)
    if attempt.address_bucket is not None:
        ratelimit.unhit(session, attempt.address_bucket, now=now, window_seconds=policy.window_seconds)


def record_pause(session: Session, attempt: Attempt, policy: Policy, *, user_id: int | None) -> None:
    """Audit a pause that this failed attempt started (the caller commits).

    The event names the user's id when the name belongs to one; never the name typed or the address.
    """
    for scope in attempt.reached:
        chain.append(
            session,
            actor="console",
            action=LOCKED_ACTION,
            entity="console_user" if scope == "name" and user_id is not None else "console_sign_in",
            entity_id=str(user_id) if scope == "name" and user_id is not None else scope,
            data={
                "scope": scope,
                "attempts": policy.per_name if scope == "name" else policy.per_address,
                "minutes_at_least": policy.window_seconds // 60,
            },
        )


def wait_text(seconds: int) -> str:
    """Return a pause's length for people: whole minutes, rounded up."""
    minutes = max(1, -(-seconds // 60))
    return f"{minutes} minute{'s' if minutes != 1 else ''}"
