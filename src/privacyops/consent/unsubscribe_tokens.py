"""Opaque, signed unsubscribe tokens for the one-click link of marketing mail (MK-1, RFC 8058).

A token carries the subject's keyed hash, the list and the day it was issued, signed with a key derived
from the deployment secret; nothing in it names the person. It works without a cookie or a sign-in, and
expires after ``VALID_DAYS`` (well past the 30 days CAN-SPAM asks a link to keep working).
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
_MAC_BYTES = 16
_KEY_BYTES = 32
_DAY_BYTES = 4
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class BadToken(ConsentRuleError):
    """The unsubscribe link is not one privacyops issued, or it has expired."""


@dataclass(frozen=True)
class Unsubscribe:
    """What a valid token says: whose subscription, which list ("" for all marketing), issued when."""

    subject_key: str
    list_name: str
    issued_day: int


def _signing_key(secret: bytes) -> bytes:
    return hmac.new(secret, b"privacyops one-click unsubscribe v1", hashlib.sha256).digest()


def _day(now: datetime) -> int:
    return (now - _EPOCH).days


def issue(secret: bytes, subject_key: str, list_name: str, *, now: datetime) -> str:
    """Return the token for one subject and list."""
    payload = bytes.fromhex(subject_key) + _day(now).to_bytes(_DAY_BYTES, "big") + list_name.encode()
    mac = hmac.new(_signing_key(secret), payload, hashlib.sha256).digest()[:_MAC_BYTES]
    return base64.urlsafe_b64encode(payload + mac).decode().rstrip("=")


def read(secret: bytes, token: str, *, now: datetime) -> Unsubscribe:
    """Return what a token says, or raise :class:`BadToken` (forged, damaged or expired)."""
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except (binascii.Error, ValueError):
        raise BadToken(
            "the unsubscribe link is damaged; use the link from the latest email", field="token"
        ) from None
    payload, mac = raw[:-_MAC_BYTES], raw[-_MAC_BYTES:]
    expected = hmac.new(_signing_key(secret), payload, hashlib.sha256).digest()[:_MAC_BYTES]
    if len(payload) < _KEY_BYTES + _DAY_BYTES or not hmac.compare_digest(mac, expected):
        raise BadToken(
            "the unsubscribe link was not issued by us; use the link from the latest email", field="token"
        )
    issued = int.from_bytes(payload[_KEY_BYTES : _KEY_BYTES + _DAY_BYTES], "big")
    if _day(now) - issued > VALID_DAYS:
        raise BadToken(
            f"the unsubscribe link is older than {VALID_DAYS} days; use the link from a recent email, "
            "or write to us",
            field="token",
        )
    return Unsubscribe(payload[:_KEY_BYTES].hex(), payload[_KEY_BYTES + _DAY_BYTES :].decode(), issued)
