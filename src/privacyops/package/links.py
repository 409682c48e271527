"""Signed, expiring download links (AC-3): ``payload.signature``, both URL-safe base64, HMAC-SHA256.

The payload names the package and the moment the link stops working. The signing key is derived from
the secret key for this one use, so a link signature never doubles as any other token of the system.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import hmac
import json
from dataclasses import dataclass

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

INFO = b"privacyops package download link v1"


class LinkRefused(ValueError):
    """The download link cannot be used; ``reason`` is 'expired', 'altered' or 'malformed'."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class LinkGrant:
    """What a valid link allows: downloading one package until a moment."""

    package_id: str
    expires_at: dt.datetime


def _signing_key(key: str | bytes) -> bytes:
    material = key.encode("utf-8") if isinstance(key, str) else key
    if not material:
        raise ValueError("an empty key cannot sign links; set PRIVACYOPS_SECRET_KEY")
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=INFO).derive(material)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _epoch(moment: dt.datetime) -> int:
    if moment.tzinfo is None:
        raise ValueError("give moments as timezone-aware datetimes, e.g. datetime.now(UTC)")
    return int(moment.timestamp())


def sign_link(package_id: str, expires_at: dt.datetime, key: str | bytes) -> str:
    """Return a URL-safe token that lets its holder download ``package_id`` until ``expires_at``."""
    if not package_id:
        raise ValueError("a link needs the id of the package it opens")
    payload = json.dumps({"p": package_id, "e": _epoch(expires_at)}, separators=(",", ":")).encode()
    signature = hmac.new(_signing_key(key), payload, hashlib.sha256).digest()
    return f"{_b64(payload)}.{_b64(signature)}"


def verify_link(token: str, key: str | bytes, now: dt.datetime) -> LinkGrant:
    """Return what the token grants, or raise LinkRefused: expired, altered or malformed."""
    payload, signature = _split(token)
    expected = hmac.new(_signing_key(key), payload, hashlib.sha256).digest()
    if not hmac.compare_digest(expected, signature):
        raise LinkRefused("altered", "the download link was altered or signed with another key; "
                                     "ask for a new link")
    try:
        claims = json.loads(payload)
        grant = LinkGrant(str(claims["p"]), dt.datetime.fromtimestamp(int(claims["e"]), dt.UTC))
    except (ValueError, KeyError, TypeError):
        raise LinkRefused("malformed", "the download link does not hold a package and an expiry") from None
    if _epoch(now) >= int(grant.expires_at.timestamp()):
        raise LinkRefused("expired", f"the download link expired at {grant.expires_at.isoformat()}; "
                                     "ask for a new link")
    return grant


def _split(token: str) -> tuple[bytes, bytes]:
    parts = token.strip().split(".")
    if len(parts) != 2 or not all(parts):
        raise LinkRefused("malformed", "a download link token has two parts separated by a dot")
    try:
        return _unb64(parts[0]), _unb64(parts[1])
    except (binascii.Error, ValueError):
        raise LinkRefused("malformed", "the download link is not valid URL-safe base64") from None
