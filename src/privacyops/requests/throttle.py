"""Public rate limits: filing a request, entering a code and asking for a new one.

Each action is counted per client address and per subject (the keyed hash of the request's primary
identity) in fixed windows kept in the store (``privacyops.store.ratelimit``), so API processes behind
one load balancer share the count. Buckets hold keyed hashes only: neither the address nor the identity
is stored. The limits are settings (``PRIVACYOPS_RATE_LIMIT_*``); 0 turns one off.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from privacyops.audit import chain
from privacyops.requests import errors
from privacyops.settings import Settings
from privacyops.store import ratelimit
from privacyops.store.models.requests import SubjectRequest

ACTIONS = {"intake": "requests filed", "verify": "codes entered", "resend": "new codes asked for"}


@dataclass(frozen=True)
class Limit:
    """How many calls of one action a client address, and one subject, may make per window."""

    per_address: int
    per_identity: int


@dataclass(frozen=True)
class Limits:
    """The limits of every public action, and the window they count in."""

    window_seconds: int
    actions: dict[str, Limit]
    # The console's sign-in counts share the table and look one of their windows back.
    keep_seconds: int = 0

    @classmethod
    def from_settings(cls, settings: Settings) -> Limits:
        """Read the limits from ``PRIVACYOPS_RATE_LIMIT_*``."""
        actions = {
            name: Limit(
                getattr(settings, f"rate_limit_{name}_per_address"),
                getattr(settings, f"rate_limit_{name}_per_identity"),
            )
            for name in ACTIONS
        }
        keep = 2 * settings.console_lockout_minutes * 60
        return cls(settings.rate_limit_window_seconds, actions, keep)


@dataclass(frozen=True)
class Caller:
    """Who is calling, as far as the limits care: the client address and, when known, the subject."""

    address: str | None = None
    subject_key: str | None = None  # the keyed hash of the subject's primary identity
    request_id: str | None = None  # for codes: the subject is the request's


def enforce(
    sessions: sessionmaker[Session], limits: Limits, key: bytes, action: str, caller: Caller, *, now: datetime
) -> None:
    """Count the call, in its own transaction; raise ``RateLimited`` when a limit is exceeded.

    Counting commits at once and apart from the work, so calls that fail later (a wrong code, bad
    input) count too; it runs before the work opens its transaction, which SQLite would otherwise
    make this one wait for.
    """
    limit = limits.actions[action]
    refused: errors.RateLimited | None = None
    with sessions.begin() as session:  # committed even when refused: the refused call counts too
        subject = caller.subject_key or _subject_of(session, caller.request_id)
        checks = [
            ("client", "from this address", limit.per_address, _address_hash(key, caller.address)),
            ("identities", "for this person", limit.per_identity, subject),
        ]
        for field, who, allowed, hashed in checks:
            if not allowed or not hashed:
                continue
            count = ratelimit.hit(
                session, f"{action}:{field}:{hashed}", now=now, window_seconds=limits.window_seconds
            )
            if count.hits > allowed and refused is None:
                rule = _rule(action, who, count.resets_in)
                refused = errors.RateLimited(rule, field=field, retry_after=count.resets_in)
    if refused is not None:
        raise refused


def purge(sessions: sessionmaker[Session], limits: Limits, *, now: datetime) -> int:
    """Delete the counts of windows that have ended; returns how many rows were removed."""
    with sessions.begin() as session:
        return ratelimit.purge(
            session, now=now, window_seconds=limits.window_seconds, keep_seconds=limits.keep_seconds
        )


def _address_hash(key: bytes, address: str | None) -> str | None:
    return chain.identity_hash(f"client:{address}", key=key) if address else None


def _subject_of(session: Session, request_id: str | None) -> str | None:
    if not request_id:
        return None
    row = session.get(SubjectRequest, request_id.strip())
    return row.subject_key if row is not None else None


def _rule(action: str, who: str, seconds: int) -> str:
    minutes = max(1, -(-seconds // 60))
    wait = f"{minutes} minute{'s' if minutes != 1 else ''}"
    return f"too many {ACTIONS[action]} {who} in a short time; try again in {wait}"
