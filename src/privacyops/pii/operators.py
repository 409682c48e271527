"""Masking operators: what replaces a finding (redact, placeholder, partial, pseudonym, encrypt, drop).

Keys never live here: the pseudonym and encryption operators get them from the caller, who derives
them from ``Settings.secret_key`` with ``derive_key`` (one key per purpose and per tenant).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from privacyops.pii.engine import Finding

OPERATOR_NAMES = ("redact", "placeholder", "mask", "pseudonym", "encrypt", "drop")
ENCRYPTED_PREFIX = "enc:"


class OperatorError(ValueError):
    """An operator was asked for by a name that does not exist or without the key it needs."""


class Operator(Protocol):
    """Turns the text of one finding into its replacement."""

    @property
    def name(self) -> str: ...

    def replace(self, value: str, finding: Finding) -> str: ...


@dataclass(frozen=True)
class Redact:
    """Replace the value with a fixed marker."""

    marker: str = "[REDACTED]"
    name: str = "redact"

    def replace(self, value: str, finding: Finding) -> str:
        return self.marker


@dataclass(frozen=True)
class Placeholder:
    """Replace the value with its entity type: ``<EMAIL_ADDRESS>``."""

    template: str = "<{entity}>"
    name: str = "placeholder"

    def replace(self, value: str, finding: Finding) -> str:
        return self.template.format(entity=finding.entity)


@dataclass(frozen=True)
class PartialMask:
    """Hide all but the last few letters and digits; keep separators and an email's domain."""

    keep_last: int = 4
    char: str = "*"
    name: str = "mask"

    def replace(self, value: str, finding: Finding) -> str:
        if finding.entity == "EMAIL_ADDRESS" and "@" in value:
            local, _, domain = value.rpartition("@")
            return local[:1] + self.char * max(1, len(local) - 1) + "@" + domain
        keep = self.keep_last if len(value) > self.keep_last * 2 else 0
        if finding.entity == "SECRET":
            keep = 0  # the tail of a key is still part of the key
        cut = len(value) - keep
        head = "".join(self.char if ch.isalnum() else ch for ch in value[:cut])
        return head + value[cut:]


@dataclass(frozen=True)
class Pseudonym:
    """Replace the value with a keyed hash: the same value gives the same token for one key."""

    key: bytes
    length: int = 12
    name: str = "pseudonym"

    def replace(self, value: str, finding: Finding) -> str:
        digest = hmac.new(self.key, value.encode("utf-8", "surrogatepass"), hashlib.sha256).hexdigest()
        return f"<{finding.entity}:{digest[: self.length]}>"


@dataclass(frozen=True)
class Encrypt:
    """Replace the value with its AES-GCM encryption (``enc:...``); ``decrypt`` brings it back."""

    key: bytes
    name: str = "encrypt"

    def replace(self, value: str, finding: Finding) -> str:
        nonce = os.urandom(12)
        plain = value.encode("utf-8", "surrogatepass")
        sealed = AESGCM(self.key).encrypt(nonce, plain, finding.entity.encode())
        token = base64.urlsafe_b64encode(nonce + sealed).decode("ascii").rstrip("=")
        return f"{ENCRYPTED_PREFIX}{finding.entity}:{token}"

    def decrypt(self, token: str) -> str:
        """Return the original value of an ``enc:ENTITY:...`` token made with the same key."""
        try:
            _prefix, entity, body = token.split(":", 2)
            raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
            plain = AESGCM(self.key).decrypt(raw[:12], raw[12:], entity.encode())
        except (ValueError, InvalidTag) as exc:
            raise OperatorError("the token is not an encryption made with this key") from exc
        return plain.decode("utf-8", "surrogatepass")


@dataclass(frozen=True)
class Drop:
    """Remove the value; in JSON the whole field goes."""

    name: str = "drop"

    def replace(self, value: str, finding: Finding) -> str:
        return ""


def derive_key(secret: str | bytes, purpose: str, tenant: str = "") -> bytes:
    """Derive a 32-byte key for one purpose (``pseudonym``, ``encrypt``) and one tenant from a secret."""
    material = secret.encode("utf-8") if isinstance(secret, str) else secret
    info = f"privacyops-pii:{purpose}:{tenant}".encode()
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(material)


def build_operator(name: str, *, secret: str | bytes | None = None, tenant: str = "") -> Operator:
    """Make the operator called ``name``; ``pseudonym`` and ``encrypt`` need ``secret``."""
    if name == "redact":
        return Redact()
    if name == "placeholder":
        return Placeholder()
    if name == "mask":
        return PartialMask()
    if name == "drop":
        return Drop()
    if name in {"pseudonym", "encrypt"}:
        if not secret:
            raise OperatorError(
                f"the {name} operator needs a key: set PRIVACYOPS_SECRET_KEY (or pass --key)"
            )
        key = derive_key(secret, name, tenant)
        return Pseudonym(key) if name == "pseudonym" else Encrypt(key)
    raise OperatorError(f"unknown operator {name!r}; use one of: {', '.join(OPERATOR_NAMES)}")


@dataclass
class Masker:
    """Apply operators to findings: one default and optional per-entity choices."""

    default: Operator = field(default_factory=Placeholder)
    per_entity: Mapping[str, Operator] = field(default_factory=dict)

    def operator_for(self, entity: str) -> Operator:
        return self.per_entity.get(entity, self.default)

    def apply(self, text: str, findings: Sequence[Finding]) -> str:
        """Return ``text`` with every finding replaced; findings must not overlap (the engine's output)."""
        if not findings:
            return text
        parts: list[str] = []
        position = 0
        for finding in findings:
            parts.append(text[position : finding.start])
            value = text[finding.start : finding.end]
            parts.append(self.operator_for(finding.entity).replace(value, finding))
            position = finding.end
        parts.append(text[position:])
        return "".join(parts)

    def drops(self, findings: Sequence[Finding]) -> bool:
        """Tell whether any finding asks for its whole field to be dropped."""
        return any(isinstance(self.operator_for(f.entity), Drop) for f in findings)
