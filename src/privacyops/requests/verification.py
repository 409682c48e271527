"""One-time verification codes and links, kept only as keyed hashes; evidence that expires (INT-7).

The functions are pure: they take a ``CodeRecord`` and return a new one, so the store decides where the
record lives. The code itself is shown once (to be sent to the subject) and never stored: the record
holds HMAC-SHA256(server key, request id + code), compared in constant time. A wrong guess counts
toward a limit of five; after that, and after use or expiry, the code no longer works.

A new code gives five fresh tries, so the request itself bounds what resending can buy: a ``Budget``
counts the codes sent and the wrong guesses over the request's life, and locks it past either limit.
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Protocol, TypeVar

from privacyops.requests import errors
from privacyops.settings import Settings

DEFAULT_CODE_TTL = timedelta(minutes=30)
DEFAULT_LINK_TTL = timedelta(hours=24)
MAX_FAILED_ATTEMPTS = 5
# The defaults of PRIVACYOPS_VERIFY_MAX_CODES and PRIVACYOPS_VERIFY_MAX_FAILURES.
MAX_CODES_PER_REQUEST: int = Settings.model_fields["verify_max_codes"].default
MAX_FAILURES_PER_REQUEST: int = Settings.model_fields["verify_max_failures"].default
MIN_DIGITS = 6
MIN_KEY_BYTES = 16


class Expiring(Protocol):
    """Any verification artefact: it carries an expiry and says when it must be purged."""

    expires_at: datetime

    def purge_due(self, now: datetime) -> bool: ...


E = TypeVar("E", bound=Expiring)


def purge_due(artefacts: Iterable[E], now: datetime) -> list[E]:
    """Return the artefacts that must be deleted at ``now``: used only for verification, never kept."""
    return [a for a in artefacts if a.purge_due(now)]


@dataclass(frozen=True)
class CodeRecord:
    """What is kept of a one-time code or link: its keyed hash, lifetime and attempts."""

    request_id: str
    code_hash: str
    channel: str
    issued_at: datetime
    expires_at: datetime
    failed_attempts: int = 0
    used_at: datetime | None = None

    @property
    def locked(self) -> bool:
        return self.failed_attempts >= MAX_FAILED_ATTEMPTS

    def purge_due(self, now: datetime) -> bool:
        """Tell whether the record has served its purpose (used) or outlived it (expired)."""
        return self.used_at is not None or now >= self.expires_at


@dataclass(frozen=True)
class Evidence:
    """A reference to other verification data (data points, a signed declaration, an agent's permission)."""

    request_id: str
    kind: str
    reference: str
    expires_at: datetime

    def purge_due(self, now: datetime) -> bool:
        """Tell whether the evidence has outlived its time to live."""
        return now >= self.expires_at


def evidence(request_id: str, kind: str, reference: str, *, now: datetime, ttl: timedelta) -> Evidence:
    """Return an evidence record that expires ``ttl`` after ``now``."""
    return Evidence(request_id, kind, reference, now + ttl)


class CodeOutcome(StrEnum):
    VERIFIED = "verified"
    WRONG = "wrong"
    EXPIRED = "expired"
    LOCKED = "locked"
    USED = "used"


_MESSAGES = {
    CodeOutcome.VERIFIED: "verified",
    CodeOutcome.WRONG: "the code is not correct; check it and try again",
    CodeOutcome.EXPIRED: "the code has expired; ask for a new one",
    CodeOutcome.LOCKED: f"the code was entered wrongly {MAX_FAILED_ATTEMPTS} times; ask for a new one",
    CodeOutcome.USED: "the code was already used; ask for a new one",
}


@dataclass(frozen=True)
class CodeCheck:
    """The outcome of checking a code, and the record to store back (attempts counted, use marked)."""

    outcome: CodeOutcome
    record: CodeRecord

    @property
    def ok(self) -> bool:
        return self.outcome is CodeOutcome.VERIFIED

    @property
    def message(self) -> str:
        return _MESSAGES[self.outcome]

    @property
    def attempts_left(self) -> int:
        return max(0, MAX_FAILED_ATTEMPTS - self.record.failed_attempts)

    def raise_unless_ok(self, *, field: str = "code") -> CodeRecord:
        """Return the record when verified, else raise an error naming the field and the rule."""
        if not self.ok:
            raise errors.VerificationRefused(self.message, field=field)
        return self.record


def code_hash(key: bytes, request_id: str, code: str) -> str:
    """Return the keyed hash of a code, bound to its request so it cannot verify another one."""
    _check_key(key)
    message = f"{request_id}\x00{code.strip()}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def issue_code(
    key: bytes,
    *,
    request_id: str,
    now: datetime,
    channel: str = "email",
    ttl: timedelta = DEFAULT_CODE_TTL,
    digits: int = MIN_DIGITS,
) -> tuple[str, CodeRecord]:
    """Return a fresh numeric code (to send once) and the record to store."""
    if digits < MIN_DIGITS:
        raise errors.VerificationRefused(f"a code has at least {MIN_DIGITS} digits", field="digits")
    code = f"{secrets.randbelow(10**digits):0{digits}d}"
    return code, _record(key, request_id, code, channel, now, ttl)


def issue_link_token(
    key: bytes, *, request_id: str, now: datetime, channel: str = "email", ttl: timedelta = DEFAULT_LINK_TTL
) -> tuple[str, CodeRecord]:
    """Return a random token for a verification link (to send once) and the record to store."""
    token = secrets.token_urlsafe(32)
    return token, _record(key, request_id, token, channel, now, ttl)


def _record(
    key: bytes, request_id: str, code: str, channel: str, now: datetime, ttl: timedelta
) -> CodeRecord:
    return CodeRecord(request_id, code_hash(key, request_id, code), channel, now, now + ttl)


def check_code(record: CodeRecord, submitted: str, key: bytes, *, now: datetime) -> CodeCheck:
    """Check a submitted code against its record; the returned record must be stored whatever the outcome."""
    if record.used_at is not None:
        return CodeCheck(CodeOutcome.USED, record)
    if record.locked:
        return CodeCheck(CodeOutcome.LOCKED, record)
    if now >= record.expires_at:
        return CodeCheck(CodeOutcome.EXPIRED, record)
    if codes_match(key, record.request_id, submitted, record.code_hash):
        return CodeCheck(CodeOutcome.VERIFIED, dataclasses.replace(record, used_at=now))
    failed = dataclasses.replace(record, failed_attempts=record.failed_attempts + 1)
    return CodeCheck(CodeOutcome.LOCKED if failed.locked else CodeOutcome.WRONG, failed)


def codes_match(key: bytes, request_id: str, submitted: str, stored_hash: str) -> bool:
    """Tell whether ``submitted`` is the code behind ``stored_hash``, in constant time.

    Both sides are keyed hashes of the same length, compared with ``hmac.compare_digest``: how long
    the comparison takes says nothing about how many leading characters were right.
    """
    candidate = code_hash(key, request_id, submitted)
    return hmac.compare_digest(candidate.encode(), stored_hash.encode())


@dataclass(frozen=True)
class Budget:
    """What a request has used, over its whole life, of the codes it may be sent and the guesses."""

    codes_sent: int
    failures: int
    max_codes: int = MAX_CODES_PER_REQUEST
    max_failures: int = MAX_FAILURES_PER_REQUEST

    @property
    def locked(self) -> bool:
        """Too many wrong codes: no code, old or new, verifies this request any more."""
        return self.failures >= self.max_failures

    @property
    def can_send(self) -> bool:
        return not self.locked and self.codes_sent < self.max_codes

    @property
    def failures_left(self) -> int:
        return max(0, self.max_failures - self.failures)


def _check_key(key: bytes) -> None:
    if len(key) < MIN_KEY_BYTES:
        raise errors.VerificationRefused(
            f"the server key must be at least {MIN_KEY_BYTES} bytes; set PRIVACYOPS_SECRET_KEY",
            field="secret_key",
        )
