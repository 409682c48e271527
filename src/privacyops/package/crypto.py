"""Encryption at rest of a package: AES-256-GCM under a key derived per package from the secret key.

A sealed blob is ``MAGIC | salt (16) | nonce (12) | ciphertext and tag``. The key is HKDF-SHA256 of the
deployment's secret key with the blob's own random salt, so no two packages share a key; the header is
authenticated too, so any changed byte makes opening fail.
"""

from __future__ import annotations

import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from privacyops.settings import Settings

MAGIC = b"POPKG1"
SALT_BYTES = 16
NONCE_BYTES = 12
INFO = b"privacyops access package at rest v1"


class SealError(ValueError):
    """The package cannot be opened: it was changed, cut short, or sealed under another key."""


def package_secret(settings: Settings) -> bytes:
    """Return the deployment's secret key (``PRIVACYOPS_SECRET_KEY`` or the one kept in its home folder)."""
    from privacyops.requests import context

    return context.secret_key(settings)


def derive_key(secret: str | bytes, salt: bytes) -> bytes:
    """Derive the 32-byte AES key of one package from the secret key and that package's salt."""
    material = secret.encode("utf-8") if isinstance(secret, str) else secret
    if not material:
        raise SealError("an empty secret key cannot protect a package; set PRIVACYOPS_SECRET_KEY")
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=INFO).derive(material)


def seal(data: bytes, key: str | bytes) -> bytes:
    """Encrypt and authenticate ``data`` under a key derived from ``key`` with a fresh salt."""
    salt, nonce = os.urandom(SALT_BYTES), os.urandom(NONCE_BYTES)
    header = MAGIC + salt + nonce
    return header + AESGCM(derive_key(key, salt)).encrypt(nonce, data, header)


def open_sealed(blob: bytes, key: str | bytes) -> bytes:
    """Return the data of a sealed blob, or raise SealError if anything in it was changed."""
    head = len(MAGIC) + SALT_BYTES + NONCE_BYTES
    if len(blob) < head + 16 or not blob.startswith(MAGIC):
        raise SealError("this is not a sealed privacyops package (wrong header or cut short)")
    salt = blob[len(MAGIC):len(MAGIC) + SALT_BYTES]
    nonce = blob[len(MAGIC) + SALT_BYTES:head]
    try:
        return AESGCM(derive_key(key, salt)).decrypt(nonce, blob[head:], blob[:head])
    except InvalidTag:
        raise SealError("the package failed its integrity check: it was altered or sealed under "
                        "another secret key") from None
