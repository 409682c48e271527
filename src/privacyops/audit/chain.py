"""Append to and verify the hash-chained audit log.

Each event stores the hash of the one before it and a SHA-256 over its own canonical JSON (which
includes that previous hash), so changing, removing or reordering any past row breaks the chain at
that row. Appenders take turns by locking the single ``audit_head`` row, which works the same way on
PostgreSQL (row lock) and SQLite (the write lock the UPDATE takes).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from privacyops.store.models.audit import AuditEvent, AuditHead, AuditIsAppendOnly

__all__ = ["AuditIsAppendOnly", "VerifyResult", "append", "identity_hash", "verify"]

GENESIS_HASH = "0" * 64
HEAD_ID = 1
VERIFY_BATCH = 1000
_HELD_HEAD = "privacyops.audit_head"
# An audit row names people by id or by a hash of their identity, never by address.
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[A-Za-z]{2,}")


class PersonalDataInAudit(ValueError):
    """Audit data must not contain personal data such as email addresses; store an identity hash."""


@dataclass(frozen=True)
class VerifyResult:
    """Outcome of walking the chain: ``ok``, rows checked, and the first bad row with the reason."""

    ok: bool
    count: int
    first_bad_id: int | None = None
    reason: str | None = None


def identity_hash(value: str, key: bytes | None = None) -> str:
    """Return a stable reference to an identity (email, phone) that does not reveal it.

    With ``key`` (the deployment's secret) the hash is an HMAC, which resists guessing by dictionary.
    """
    normalised = value.strip().lower().encode()
    if key is None:
        return hashlib.sha256(normalised).hexdigest()
    return hmac.new(key, normalised, hashlib.sha256).hexdigest()


def canonical_json(value: Any) -> str:
    """Serialise deterministically: sorted keys, no spaces, UTF-8 kept as is."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def _timestamp(moment: datetime) -> str:
    # Microsecond precision survives both SQLite and PostgreSQL, so the text is the same on read-back.
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def event_hash(row: AuditEvent) -> str:
    """Compute the hash a row must carry, from its content and the previous hash."""
    payload = {
        "id": row.id,
        "created_at": _timestamp(row.created_at),
        "actor": row.actor,
        "action": row.action,
        "entity": row.entity,
        "entity_id": row.entity_id,
        "data": row.data,
        "prev_hash": row.prev_hash,
    }
    return hashlib.sha256(canonical_json(payload).encode()).hexdigest()


def _check_no_personal_data(value: Any, path: str = "data") -> None:
    if isinstance(value, str) and _EMAIL.search(value):
        raise PersonalDataInAudit(f"{path} looks like an email address; pass identity_hash(value) instead")
    if isinstance(value, dict):
        for key, item in value.items():
            _check_no_personal_data(item, f"{path}.{key}")
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            _check_no_personal_data(item, f"{path}[{index}]")


def _lock_head(session: Session) -> AuditHead:
    # Once locked, the head stays locked until this transaction ends: later events of the same
    # transaction go on from the head in memory instead of locking and reading it again.
    transaction = session.get_transaction()
    held = session.info.get(_HELD_HEAD)
    if held is not None and held[0] is transaction and transaction is not None and transaction.is_active:
        return held[1]
    head = _lock_and_read_head(session)
    session.info[_HELD_HEAD] = (transaction, head)
    return head


def _lock_and_read_head(session: Session) -> AuditHead:
    # One UPDATE ... RETURNING takes the row lock (PostgreSQL) or the database write lock (SQLite) and
    # reads the head under it, so two appenders can never both see the same end of the chain.
    locked = session.scalars(
        sa.update(AuditHead)
        .where(AuditHead.id == HEAD_ID)
        .values(last_id=AuditHead.last_id)
        .returning(AuditHead),
        execution_options={"populate_existing": True, "synchronize_session": False},
    ).one_or_none()
    if locked is not None:
        return locked
    head = AuditHead(id=HEAD_ID, last_id=0, last_hash=GENESIS_HASH)
    session.add(head)
    session.flush()
    return head


def append(
    session: Session, *, actor: str, action: str, entity: str, entity_id: str, data: dict[str, Any]
) -> AuditEvent:
    """Add one event at the end of the chain, in the caller's transaction (the caller commits)."""
    _check_no_personal_data(data)
    _check_no_personal_data(entity_id, "entity_id")
    _check_no_personal_data(actor, "actor")
    # Round-trip through JSON so the hashed value is exactly what the database will give back.
    clean_data = json.loads(canonical_json(data))
    head = _lock_head(session)
    row = AuditEvent(
        id=head.last_id + 1,
        created_at=datetime.now(UTC),
        actor=actor,
        action=action,
        entity=entity,
        entity_id=str(entity_id),
        data=clean_data,
        prev_hash=head.last_hash,
    )
    row.hash = event_hash(row)
    session.add(row)
    head.last_id = row.id
    head.last_hash = row.hash
    # Written with the caller's next query or commit: the events of one transaction go in one batch.
    return row


def _rows(session: Session) -> Iterator[AuditEvent]:
    after = 0
    while True:
        batch = (
            session.execute(
                sa.select(AuditEvent).where(AuditEvent.id > after).order_by(AuditEvent.id).limit(VERIFY_BATCH)
            )
            .scalars()
            .all()
        )
        if not batch:
            return
        yield from batch
        after = batch[-1].id
        # Keep memory flat on long chains without touching the caller's other objects.
        for row in batch:
            session.expunge(row)


def verify(session: Session) -> VerifyResult:
    """Walk the whole chain and report the first row that does not fit."""
    expected_id, previous_hash, count = 1, GENESIS_HASH, 0
    for row in _rows(session):
        if row.id != expected_id:
            reason = f"row {expected_id} is missing (the next row found is {row.id})"
            return VerifyResult(ok=False, count=count, first_bad_id=expected_id, reason=reason)
        problem = _row_problem(row, previous_hash)
        if problem is not None:
            return VerifyResult(ok=False, count=count, first_bad_id=row.id, reason=problem)
        count += 1
        expected_id, previous_hash = row.id + 1, row.hash
    head = session.get(AuditHead, HEAD_ID)
    if head is not None and (head.last_id != expected_id - 1 or head.last_hash != previous_hash):
        return VerifyResult(
            ok=False,
            count=count,
            first_bad_id=expected_id,
            reason=f"the chain ends at row {expected_id - 1} but its head records row {head.last_id}; "
            "rows were removed from the end",
        )
    return VerifyResult(ok=True, count=count)


def _row_problem(row: AuditEvent, previous_hash: str) -> str | None:
    if row.prev_hash != previous_hash:
        return "its previous-hash does not match the hash of the row before it"
    if row.hash != event_hash(row):
        return "its content does not match its hash (the row was changed after it was written)"
    return None

