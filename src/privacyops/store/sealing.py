"""Envelope encryption of personal data in the store: a data key per value, wrapped by a store key.

A sealed value is the text ``pe1:<key id>:<wrapped data key>:<ciphertext>`` (base64url parts):

- the data key is 32 random bytes, fresh for every value, and encrypts the value with AES-256-GCM;
  the column's name is authenticated with it, so a value moved to another column does not open;
- the data key is itself encrypted (wrapped) with AES-256-GCM under the key-encryption key named by
  the key id. That key is HKDF-SHA256 of the deployment's secret (``PRIVACYOPS_SECRET_KEY`` or
  ``<home>/secret_key``) with the store key's random salt, kept in ``store_keys``.

The key id beside each ciphertext lets several store keys coexist: a rotation re-wraps data keys under
a new store key without touching the ciphertext, then deletes the old salt, after which nothing sealed
under the old key can be opened, even with the secret.
"""

from __future__ import annotations

import base64
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

PREFIX = "pe1:"
NONCE_BYTES = 12
KEY_BYTES = 32
KEK_INFO = b"privacyops store key-encryption key v1:"


class SealingError(ValueError):
    """A stored value could not be sealed or opened (wrong key, altered text, or not sealed at all)."""


def derive_kek(secret: bytes, salt: bytes, key_id: str) -> bytes:
    """Derive the key-encryption key of store key ``key_id`` from the deployment's secret and its salt."""
    if not secret:
        raise SealingError("an empty secret key cannot protect the store; set PRIVACYOPS_SECRET_KEY")
    hkdf = HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=salt, info=KEK_INFO + key_id.encode())
    return hkdf.derive(secret)


def is_sealed(text: str | None) -> bool:
    """Tell whether a stored text is a sealed value (clear values predate encryption at rest)."""
    return text is not None and text.startswith(PREFIX)


def key_id_of(token: str) -> str:
    """Return the id of the store key a sealed value's data key is wrapped under."""
    return _split(token)[0]


def seal(plain: str, *, purpose: str, key_id: str, kek: bytes) -> str:
    """Encrypt ``plain`` under a fresh data key, wrapped by ``kek``; ``purpose`` names the column."""
    data_key = AESGCM.generate_key(bit_length=KEY_BYTES * 8)
    nonce = os.urandom(NONCE_BYTES)
    body = nonce + AESGCM(data_key).encrypt(nonce, plain.encode("utf-8"), purpose.encode())
    return _join(key_id, _wrap(data_key, key_id, kek), body)


def open_sealed(token: str, *, purpose: str, kek: bytes) -> str:
    """Return the clear text of a sealed value, given the key-encryption key its id names."""
    key_id, wrapped, body = _split(token)
    data_key = _unwrap(wrapped, key_id, kek)
    try:
        plain = AESGCM(data_key).decrypt(body[:NONCE_BYTES], body[NONCE_BYTES:], purpose.encode())
    except InvalidTag:
        raise SealingError(f"a value sealed for {purpose} failed its integrity check: it was altered "
                           "or copied from another column") from None
    return plain.decode("utf-8")


def rewrap(token: str, *, old_kek: bytes, key_id: str, kek: bytes) -> str:
    """Wrap a sealed value's data key under another store key; the ciphertext itself is unchanged."""
    old_id, wrapped, body = _split(token)
    return _join(key_id, _wrap(_unwrap(wrapped, old_id, old_kek), key_id, kek), body)


def _wrap(data_key: bytes, key_id: str, kek: bytes) -> bytes:
    nonce = os.urandom(NONCE_BYTES)
    return nonce + AESGCM(kek).encrypt(nonce, data_key, (PREFIX + key_id).encode())


def _unwrap(wrapped: bytes, key_id: str, kek: bytes) -> bytes:
    try:
        return AESGCM(kek).decrypt(wrapped[:NONCE_BYTES], wrapped[NONCE_BYTES:], (PREFIX + key_id).encode())
    except InvalidTag:
        raise SealingError(f"the data key of a value sealed under store key {key_id} does not open: the "
                           "deployment's secret key (PRIVACYOPS_SECRET_KEY) is not the one it was sealed "
                           "with") from None


def _join(key_id: str, wrapped: bytes, body: bytes) -> str:
    return f"{PREFIX}{key_id}:{_b64(wrapped)}:{_b64(body)}"


def _split(token: str) -> tuple[str, bytes, bytes]:
    parts = token.split(":")
    if len(parts) != 4 or f"{parts[0]}:" != PREFIX:
        raise SealingError("a stored value is not a sealed value (expected pe1:<key>:<key>:<data>)")
    try:
        return parts[1], _unb64(parts[2]), _unb64(parts[3])
    except ValueError:
        raise SealingError("a sealed value in the store is cut short or altered") from None


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
