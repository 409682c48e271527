"""Opaque, signed links for a subject: one-click unsubscribe (MK-1, RFC 8058) and the preference center.

A token carries the subject's keyed hash, a scope (the list) and the day it was issued, signed with a key
derived from the deployment secret and the link's use, so an unsubscribe token never opens the
preference center; nothing in it names the person. It works without a cookie or a sign-in. An
unsubscribe link expires after ``VALID_DAYS`` (well past the 30 days CAN-SPAM asks it to keep working),
a preference-center link after ``PREFERENCES_DAYS``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC, datetime

from privacyops.consent.errors import ConsentRuleError

VALID_DAYS = 400
PREFERENCES_DAYS = 30
UNSUBSCRIBE, PREFERENCES = "one-click unsubscribe", "preference center"
_MAC_BYTES = 16
_KEY_BYTES = 32
_DAY_BYTES = 4
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class BadToken(ConsentRuleError):
    """The link is not one privacyops issued for this use, or it has expired."""


@dataclass(frozen=True)
class Unsubscribe:
    """What a valid token says: whose subscription, which list ("" for all marketing), issued when."""

    subject_key: str
    list_name: str
    issued_day: int


def _signing_key(secret: bytes, use: str) -> bytes:
    return hmac.new(secret, f"privacyops {use} v1".encode(), hashlib.sha256).digest()


def _day(now: datetime) -> int:
    return (now - _EPOCH).days


def issue(secret: bytes, subject_key: str, list_name: str, *, now: datetime, use: str = UNSUBSCRIBE) -> str:
    """Return the token for one subject and list (``use``: what the link is for)."""
    payload = bytes.fromhex(subject_key) + _day(now).to_bytes(_DAY_BYTES, "big") + list_name.encode()
    mac = hmac.new(_signing_key(secret, use), payload, hashlib.sha256).digest()[:_MAC_BYTES]
    return base64.urlsafe_b64encode(payload + mac).decode().rstrip("=")


def read(secret: bytes, token: str, *, now: datetime, use: str = UNSUBSCRIBE) -> Unsubscribe:
    """Return what a token says, or raise :class:`BadToken` (forged, damaged, expired or for another use)."""
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except (binascii.Error, ValueError):
        raise BadToken(
            "the unsubscribe link is damaged; use the link from the latest email", field="token"
        ) from None
    payload, mac = raw[:-_MAC_BYTES], raw[-_MAC_BYTES:]
    expected = hmac.new(_signing_key(secret, use), payload, hashlib.sha256).digest()[:_MAC_BYTES]
    if len(payload) < _KEY_BYTES + _DAY_BYTES or not hmac.compare_digest(mac, expected):
        raise BadToken(
            "the unsubscribe link was not issued by us; use the link from the latest email", field="token"
        )
    issued = int.from_bytes(payload[_KEY_BYTES : _KEY_BYTES + _DAY_BYTES], "big")
    valid = VALID_DAYS if use == UNSUBSCRIBE else PREFERENCES_DAYS
    if _day(now) - issued > valid:
        raise BadToken(
            f"the link is older than {valid} days; use the link from a recent email, or write to us",
            field="token",
        )
    return Unsubscribe(payload[:_KEY_BYTES].hex(), payload[_KEY_BYTES + _DAY_BYTES :].decode(), issued)
