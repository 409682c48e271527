"""Signed tokens from the host application that vouch for an account holder (INT-3).

The host application, where the person is signed in, signs a compact JWT (HS256: HMAC-SHA256 with a key
shared with privacyops) naming the user id, the email and when the person last authenticated (``iat``).
Disclosure, deletion and correction need a recent sign-in: a token older than the step-up window is
refused for them, so a borrowed session left open cannot erase an account.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from privacyops.requests import errors
from privacyops.requests import types as rtypes

DEFAULT_STEP_UP_WINDOW = timedelta(minutes=15)
DEFAULT_MAX_AGE = timedelta(hours=24)
CLOCK_SKEW = timedelta(minutes=2)
_HEADER = {"alg": "HS256", "typ": "JWT"}


@dataclass(frozen=True)
class HostIdentity:
    """An account holder vouched for by the host application; kept no longer than the token is valid."""

    user_id: str
    email: str | None
    issued_at: datetime
    expires_at: datetime

    def purge_due(self, now: datetime) -> bool:
        """Tell whether this verification record has outlived its use."""
        return now >= self.expires_at


def sign_host_token(key: bytes, *, user_id: str, email: str | None, issued_at: datetime) -> str:
    """Return a compact HS256 JWT for ``user_id`` (what the host application does; used by tests and SDKs)."""
    claims: dict[str, Any] = {"sub": user_id, "iat": int(issued_at.timestamp())}
    if email is not None:
        claims["email"] = email
    signing_input = f"{_encode(_HEADER)}.{_encode(claims)}"
    return f"{signing_input}.{_b64(_sign(key, signing_input))}"


def verify_host_token(
    token: str,
    key: bytes,
    *,
    request_type: rtypes.RequestType,
    now: datetime,
    step_up_window: timedelta = DEFAULT_STEP_UP_WINDOW,
    max_age: timedelta = DEFAULT_MAX_AGE,
) -> HostIdentity:
    """Return the account holder a token vouches for, or raise an error saying why it is refused."""
    claims = _verified_claims(token, key)
    issued_at = _issued_at(claims)
    if issued_at > now + CLOCK_SKEW:
        raise _refused("the token is issued in the future; check the host application's clock")
    if "exp" in claims and now.timestamp() >= _number(claims, "exp"):
        raise _refused("the token has expired; sign in again")
    age = now - issued_at
    if rtypes.info(request_type).needs_step_up and age > step_up_window:
        minutes = int(step_up_window.total_seconds() // 60)
        raise errors.StepUpRequired(
            f"a {request_type} request needs a sign-in within the last {minutes} minutes; "
            "sign in again and resubmit",
            field="token",
        )
    if age > max_age:
        raise _refused("the token is too old; sign in again")
    return HostIdentity(_subject(claims), _email(claims), issued_at, issued_at + max_age)


def _verified_claims(token: str, key: bytes) -> dict[str, Any]:
    parts = token.strip().split(".")
    if len(parts) != 3:
        raise _refused("the token is not a compact JWT (header.claims.signature)")
    header, claims, signature = parts
    if _decode_json(header) != _HEADER:
        raise _refused('the token must be signed with {"alg": "HS256", "typ": "JWT"}')
    if not hmac.compare_digest(_decode(signature), _sign(key, f"{header}.{claims}")):
        raise _refused("the token's signature does not match the shared key")
    return _decode_json(claims)


def _issued_at(claims: dict[str, Any]) -> datetime:
    return datetime.fromtimestamp(_number(claims, "iat"), UTC)


def _number(claims: dict[str, Any], name: str) -> float:
    value = claims.get(name)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _refused(f"the token's {name!r} claim must be a number of seconds since 1970")
    return float(value)


def _subject(claims: dict[str, Any]) -> str:
    subject = claims.get("sub")
    if not isinstance(subject, str) or not subject:
        raise _refused("the token's 'sub' claim must name the user id")
    return subject


def _email(claims: dict[str, Any]) -> str | None:
    email = claims.get("email")
    return email if isinstance(email, str) else None


def _sign(key: bytes, signing_input: str) -> bytes:
    if len(key) < 16:
        raise errors.TokenRefused("the shared key must be at least 16 bytes", field="host_token_key")
    return hmac.new(key, signing_input.encode("ascii"), hashlib.sha256).digest()


def _encode(value: dict[str, Any]) -> str:
    return _b64(json.dumps(value, separators=(",", ":"), sort_keys=True).encode())


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _decode(part: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
    except (binascii.Error, ValueError):
        raise _refused("the token is not valid base64url") from None


def _decode_json(part: str) -> dict[str, Any]:
    try:
        value = json.loads(_decode(part))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise _refused("the token does not hold JSON") from None
    if not isinstance(value, dict):
        raise _refused("the token does not hold a JSON object")
    return value


def _refused(message: str) -> errors.TokenRefused:
    return errors.TokenRefused(message, field="token")
