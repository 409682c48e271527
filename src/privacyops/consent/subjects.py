"""Who a decision or receipt is about: identities turned into the keyed hashes the store keeps."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from privacyops.audit import chain
from privacyops.consent.errors import ConsentRuleError
from privacyops.requests import errors as rerrors
from privacyops.requests import intake

# A browser without an account: the random id the banner keeps in its first-party cookie.
VISITOR = "visitor"
KINDS = (*intake.IDENTITY_KINDS, VISITOR)


@dataclass(frozen=True)
class Subject:
    """A person as the ledger knows them: keyed hashes of their identities, the first one primary."""

    keys: tuple[str, ...]
    # Email addresses given, normalised, with their keys: where marketing mail goes (kept sealed).
    emails: tuple[tuple[str, str], ...] = ()

    @property
    def primary(self) -> str:
        """Return the hash receipts are recorded under."""
        return self.keys[0]


def identity_key(key: bytes, kind: str, value: str) -> str:
    """Return the keyed hash of an identity, the same one subject requests and restrictions use."""
    return chain.identity_hash(f"{kind}:{value}", key=key)


def parse(key: bytes, identities: Iterable[str], *, field: str = "subject") -> Subject:
    """Parse ``kind:value`` identities (``email:a@example.com``) into a subject, or raise naming ``field``."""
    keys: list[str] = []
    emails: list[tuple[str, str]] = []
    for text in identities:
        kind, sep, value = text.partition(":")
        if not sep or not value.strip():
            raise ConsentRuleError(
                f"write the subject as kind:value, e.g. email:name@example.com; kinds: {', '.join(KINDS)}",
                field=field,
            )
        kind = kind.strip().lower()
        digest = _key_of(key, kind, value, field)
        if digest not in keys:
            keys.append(digest)
            if kind == "email":
                emails.append((digest, value.strip().lower()))
    if not keys:
        raise ConsentRuleError(
            "name at least one identity of the subject, e.g. email:name@example.com", field=field
        )
    return Subject(tuple(keys), tuple(emails))


def _key_of(key: bytes, kind: str, value: str, field: str) -> str:
    if kind == VISITOR:
        value = value.strip()
        if not (8 <= len(value) <= 64) or not value.replace("-", "").isalnum():
            raise ConsentRuleError("a visitor id is 8 to 64 letters, digits or dashes", field=field)
        return identity_key(key, kind, value)
    try:
        identity = intake.normalise_identity(kind, value, field=field)
    except rerrors.RequestRuleError as exc:
        raise ConsentRuleError(f"{exc.message}; or use {VISITOR}:<id> for a browser", field=field) from None
    return identity_key(key, identity.kind, identity.value)
