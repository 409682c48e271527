"""Suppression of erased subjects: keyed hashes that keep them erased and unsubscribed (ER-5)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from privacyops.audit import chain
from privacyops.store.models.requests import ErasureSuppression


def identity_hash(key: bytes, kind: str, value: str) -> str:
    """Return the keyed hash used for an identity (the same as the request workflow's)."""
    return chain.identity_hash(f"{kind}:{normalise(kind, value)}", key=key)


def normalise(kind: str, value: str) -> str:
    """Return the identity as it was stored by intake: emails are matched without case or spaces."""
    return value.strip().lower() if kind == "email" else value.strip()


def suppress(session: Session, key: bytes, request_id: str, identities: Mapping[str, str]) -> int:
    """Add a suppression entry per identity (again after a crash: existing entries stay); returns the new."""
    added = 0
    for kind, value in identities.items():
        digest = identity_hash(key, kind, value)
        if not is_suppressed_hash(session, kind, digest):
            session.add(ErasureSuppression(kind=kind, value_hash=digest, request_id=request_id))
            added += 1
    session.flush()
    return added


def is_suppressed_hash(session: Session, kind: str, digest: str) -> bool:
    """Tell whether this identity hash belongs to an erased subject."""
    query = sa.select(ErasureSuppression.id).where(ErasureSuppression.kind == kind,
                                                   ErasureSuppression.value_hash == digest)
    return session.execute(query.limit(1)).first() is not None


def is_suppressed(session: Session, key: bytes, kind: str, value: str) -> bool:
    """Tell whether the identity belongs to a subject who was erased (and must stay unsubscribed)."""
    return any(is_suppressed_hash(session, kind, d) for d in _candidates(key, kind, value))


def _candidates(key: bytes, kind: str, value: str) -> set[str]:
    # Intake may have kept the value as typed; match either form so no erased person slips back in.
    return {identity_hash(key, kind, value), chain.identity_hash(f"{kind}:{value}", key=key)}


@dataclass(frozen=True)
class ImportFlag:
    """A row of an import that names an erased subject: its position and the identity kind matched."""

    position: int
    kind: str


def check_import(session: Session, key: bytes, rows: Iterable[Mapping[str, str]]) -> list[ImportFlag]:
    """Flag every imported row (e.g. a marketing list) whose identity was erased before (ER-5)."""
    flags = []
    for position, row in enumerate(rows):
        for kind, value in row.items():
            if value and is_suppressed(session, key, kind, value):
                flags.append(ImportFlag(position, kind))
                break
    return flags
