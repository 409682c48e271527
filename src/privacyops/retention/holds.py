"""Legal holds (ER-2, DL-6): by subject, data category or table, with a reason code and an expiry.

A subject is known only by the keyed hash of one of its identities, as restrictions are. A Canadian
request answered late (a deemed refusal) holds its subject's data without anyone adding a hold.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from privacyops.audit import chain
from privacyops.field_errors import FieldError
from privacyops.manifest.schema import Manifest
from privacyops.store.models.requests import RequestIdentity, SubjectRequest
from privacyops.store.models.retention import RetentionHold

SCOPES = ("subject", "category", "table")
DEEMED_REFUSAL = "deemed_refusal"
DEEMED_REFUSAL_REASON = "deemed_refusal"

HashFn = Callable[[str, str], str]


class HoldError(FieldError):
    """A hold that cannot be added or released; ``field`` names the input at fault, the message the fix."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message, field=field)


class HoldNotFound(HoldError):
    """No hold has this id."""

    status_code = 404


class HoldAlreadyReleased(HoldError):
    """The hold was released before."""

    status_code = 409


@dataclass
class HoldSet:
    """The holds in force at one moment, ready for matching."""

    subjects: dict[str, str] = field(default_factory=dict)  # identity hash -> reason code
    categories: dict[str, str] = field(default_factory=dict)  # category -> reason code
    tables: dict[str, str] = field(default_factory=dict)  # system.table -> reason code

    def subject_reason(self, identities: Mapping[str, Iterable[Any]], hash_fn: HashFn) -> str | None:
        """Return the reason code holding a person known by these identities, or None."""
        for kind, values in identities.items():
            for value in values:
                if value in (None, ""):
                    continue
                reason = self.subjects.get(hash_fn(kind, str(value)))
                if reason:
                    return reason
        return None

    def held_tables(self, manifest: Manifest) -> dict[str, str]:
        """Return every table held directly or through a category one of its fields holds."""
        held = dict(self.tables)
        for system_name, system in manifest.systems.items():
            for table_name, table in system.tables.items():
                table_id = f"{system_name}.{table_name}"
                reasons = [self.categories[c] for c in sorted(table.categories()) if c in self.categories]
                if reasons and table_id not in held:
                    held[table_id] = reasons[0]
        return held


def add(
    session: Session,
    manifest: Manifest,
    *,
    scope: str,
    target: str,
    reason_code: str,
    actor: str,
    hash_fn: HashFn,
    identity_kind: str | None = None,
    note: str | None = None,
    expires_at: datetime | None = None,
    request_id: str | None = None,
) -> RetentionHold:
    """Record a hold after checking its scope, target and reason; audited."""
    stored_target = _checked_target(manifest, scope, target, identity_kind, hash_fn)
    if not reason_code or not reason_code.strip():
        raise HoldError(
            "reason_code", "reason_code is required: say why the data is kept, e.g. tax, litigation"
        )
    hold = RetentionHold(
        scope=scope,
        target=stored_target,
        identity_kind=identity_kind,
        reason_code=reason_code.strip(),
        note=note,
        request_id=request_id,
        created_by=actor,
        expires_at=expires_at,
    )
    session.add(hold)
    session.flush()
    chain.append(
        session,
        actor=actor,
        action="retention.hold_added",
        entity="retention_hold",
        entity_id=str(hold.id),
        data=_audit_data(hold),
    )
    return hold


def release(session: Session, hold_id: int, *, actor: str, now: datetime) -> RetentionHold:
    """Release a hold (it stays on record); audited."""
    hold = session.get(RetentionHold, hold_id)
    if hold is None:
        raise HoldNotFound(
            "hold_id", f"no hold has id {hold_id}; list them with `privacyops retention holds list`"
        )
    if hold.released_at is not None:
        raise HoldAlreadyReleased("hold_id", f"hold {hold_id} was already released")
    hold.released_at, hold.released_by = now, actor
    chain.append(
        session,
        actor=actor,
        action="retention.hold_released",
        entity="retention_hold",
        entity_id=str(hold.id),
        data=_audit_data(hold),
    )
    return hold


def listed(session: Session, now: datetime, *, include_inactive: bool = False) -> list[RetentionHold]:
    """Return the holds in force (or every hold), newest first."""
    query = sa.select(RetentionHold).order_by(RetentionHold.id.desc())
    if not include_inactive:
        query = query.where(*_in_force(now))
    return list(session.scalars(query))


def in_force(session: Session, now: datetime) -> HoldSet:
    """Return the holds in force now, with the subjects of Canadian deemed refusals (DL-6)."""
    holds = HoldSet()
    for hold in listed(session, now):
        by_scope = {"subject": holds.subjects, "category": holds.categories, "table": holds.tables}
        by_scope[hold.scope].setdefault(hold.target, hold.reason_code)
    refused = (
        sa.select(RequestIdentity.value_hash)
        .join(SubjectRequest, SubjectRequest.id == RequestIdentity.request_id)
        .where(SubjectRequest.state == DEEMED_REFUSAL)
    )
    for value_hash in session.scalars(refused):
        holds.subjects.setdefault(value_hash, DEEMED_REFUSAL_REASON)
    return holds


def describe(hold: RetentionHold) -> dict[str, Any]:
    """Return a hold as plain values for the API and the CLI (a subject shows as its hash only)."""
    return {
        "id": hold.id,
        "scope": hold.scope,
        "target": hold.target,
        "identity_kind": hold.identity_kind,
        "reason_code": hold.reason_code,
        "note": hold.note,
        "request_id": hold.request_id,
        "created_by": hold.created_by,
        "created_at": hold.created_at.isoformat(),
        "expires_at": hold.expires_at.isoformat() if hold.expires_at else None,
        "released_at": hold.released_at.isoformat() if hold.released_at else None,
    }


def _in_force(now: datetime) -> tuple[sa.ColumnElement[bool], ...]:
    return (
        RetentionHold.released_at.is_(None),
        sa.or_(RetentionHold.expires_at.is_(None), RetentionHold.expires_at > now),
    )


def _checked_target(manifest: Manifest, scope: str, target: str, kind: str | None, hash_fn: HashFn) -> str:
    if scope not in SCOPES:
        raise HoldError("scope", f"scope must be one of {', '.join(SCOPES)}, not {scope!r}")
    if not target or not target.strip():
        raise HoldError("target", "target is required: an identity value, a category key or system.table")
    target = target.strip()
    if scope == "subject":
        if not kind:
            raise HoldError(
                "identity_kind", "identity_kind is required for a subject hold, e.g. email or user_id"
            )
        return hash_fn(kind, target)
    if scope == "category" and target not in manifest.data_categories:
        raise HoldError(
            "target", f"target: category {target!r} is not declared in the manifest's data_categories"
        )
    if scope == "table":
        system, _, table = target.partition(".")
        declared = manifest.systems.get(system)
        if declared is None or table not in declared.tables:
            raise HoldError(
                "target", f"target: table {target!r} is not declared; write system.table as in the manifest"
            )
    return target


def _audit_data(hold: RetentionHold) -> dict[str, Any]:
    # A subject hold names its target by hash only, so the audit row holds no identity value.
    return {
        "scope": hold.scope,
        "target": hold.target,
        "reason_code": hold.reason_code,
        "expires_at": hold.expires_at.isoformat() if hold.expires_at else None,
        "released": hold.released_at is not None,
    }
