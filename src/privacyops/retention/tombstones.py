"""The tombstone ledger (ER-3): what every erasure and sweep removed, replayed on a restored database.

The ledger lives in privacyops' own store, never in the connected databases, so a backup of those
databases does not carry it back. Each entry names a table, the primary keys of the rows (sealed at
rest), what was done to them and keyed hashes of the people concerned, never their identity values.
An entry is written before the rows are changed: a crash in between leaves an entry whose replay
does what the sweep was about to do anyway.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from privacyops.audit import chain
from privacyops.connectors.base import Change, Connector, ConnectorError, MapValues, Match, SetNull
from privacyops.engine.collect import Collection
from privacyops.engine.plan import Plan
from privacyops.engine.run import REDACTED, pseudonym
from privacyops.store.models.retention import BackupRestore, Tombstone

REPLAY_BATCH = 500
NULLING = frozenset({"null", "detach"})


def record(
    session: Session,
    *,
    source: str,
    ref: str,
    system: str,
    table: str,
    action: str,
    key_columns: Sequence[str],
    keys: Iterable[Sequence[Any]],
    changes: Mapping[str, str] | None = None,
    identity_hashes: Iterable[str] = (),
) -> Tombstone | None:
    """Append one entry (nothing when there are no keys); the caller commits before changing the rows."""
    kept = [k if isinstance(k, list) else list(k) for k in keys]
    if not kept:
        return None
    entry = Tombstone(
        source=source,
        ref=str(ref),
        system=system,
        table_name=table,
        action=action,
        key_columns=list(key_columns),
        keys=kept,
        changes=dict(changes or {}),
        identity_hashes=sorted(set(identity_hashes)),
    )
    session.add(entry)
    return entry


def record_collection(
    session: Session,
    plan: Plan,
    found: Collection,
    *,
    source: str,
    ref: str,
    identity_hashes: Iterable[str],
    skip: Iterable[str] = (),
) -> int:
    """Append an entry per table of an engine erasure, from the rows its collection found."""
    hashes, skipped, count = list(identity_hashes), set(skip), 0
    # In the erasure's step order (children first), so a replay never deletes a row still pointed at.
    order = list(dict.fromkeys(s.table for s in plan.steps if s.operation == "erase"))
    for table in sorted(plan.tables, key=lambda t: order.index(t.id) if t.id in order else len(order)):
        keys = found.keys(table.id)
        if (
            table.id in skipped
            or not keys
            or table.row_action == "keep"
            and not _changed(table.field_actions)
        ):
            continue
        changes = {} if table.row_action == "delete" else _changed(table.field_actions)
        record(
            session,
            source=source,
            ref=ref,
            system=table.system,
            table=table.table,
            action="delete" if table.row_action == "delete" else "update",
            key_columns=table.key,
            keys=keys,
            changes=changes,
            identity_hashes=hashes,
        )
        count += 1
    return count


def hashes_of(identities: Mapping[str, Iterable[Any]], hash_fn: Callable[[str, str], str]) -> list[str]:
    """Return the keyed hashes of every identity value, for the ledger."""
    # Rows of one batch repeat their people: each distinct value is hashed once.
    distinct = {(kind, str(v)) for kind, values in identities.items() for v in values if v not in (None, "")}
    return sorted({hash_fn(kind, value) for kind, value in distinct})


def replay(
    sessions: sessionmaker[Session],
    connectors: Mapping[str, Connector],
    key: bytes,
    since: datetime,
    *,
    system: str | None = None,
    actor: str = "cli",
    tick: Callable[[int], None] | None = None,
) -> dict[str, int]:
    """Apply every entry since ``since`` again (oldest first); close the restores it covers; audited."""
    with sessions() as session:
        query = sa.select(Tombstone).where(Tombstone.created_at >= since).order_by(Tombstone.id)
        if system:
            query = query.where(Tombstone.system == system)
        entries = list(session.scalars(query))
    done: dict[str, int] = {}
    for entry in entries:
        connector = connectors.get(entry.system)
        if connector is None:
            raise ConnectorError(f"no connector for system {entry.system}; set its address and replay again")
        rows = _apply(entry, connector, key)
        table_id = f"{entry.system}.{entry.table_name}"
        done[table_id] = done.get(table_id, 0) + rows
        if tick:
            tick(len(entry.keys))
    _close_restores(sessions, since, system, actor, done)
    return done


def pending_restores(session: Session) -> list[BackupRestore]:
    """Return declared restores not replayed yet: until then the store is not ready (ER-3)."""
    return list(session.scalars(sa.select(BackupRestore).where(BackupRestore.replayed_at.is_(None))))


def declare_restore(session: Session, *, system: str, backup_taken_at: datetime, actor: str) -> BackupRestore:
    """Record that a system was restored from a backup taken at ``backup_taken_at``; audited."""
    restore = BackupRestore(system=system, backup_taken_at=backup_taken_at, declared_by=actor)
    session.add(restore)
    session.flush()
    chain.append(
        session,
        actor=actor,
        action="retention.restore_declared",
        entity="backup_restore",
        entity_id=str(restore.id),
        data={"system": system, "backup_taken_at": backup_taken_at.isoformat()},
    )
    return restore


def _changed(actions: Iterable[Any]) -> dict[str, str]:
    return {a.field: a.action for a in actions if a.action in (*NULLING, "pseudonymise", "redact")}


def _apply(entry: Tombstone, connector: Connector, key: bytes) -> int:
    keys = [tuple(k) for k in entry.keys]
    total = 0
    for start in range(0, len(keys), REPLAY_BATCH):
        match = Match(tuple(entry.key_columns), tuple(keys[start : start + REPLAY_BATCH]))
        if entry.action == "delete":
            total += connector.delete(entry.table_name, match)
        else:
            changes = _changes(entry, connector, match, key)
            total += connector.update(entry.table_name, match, changes) if changes else 0
    return total


def _changes(entry: Tombstone, connector: Connector, match: Match, key: bytes) -> dict[str, Change]:
    changes: dict[str, Change] = {c: SetNull() for c, action in entry.changes.items() if action in NULLING}
    valued = [c for c, action in entry.changes.items() if action not in NULLING]
    if not valued:
        return changes
    rows = connector.find(entry.table_name, match, valued)
    for column in valued:
        values = {r.get(column) for r in rows} - {None}
        # The subject's values are not in the ledger, so a restored free text is redacted whole.
        if entry.changes[column] == "pseudonymise":
            mapping = {v: v if str(v).startswith("pseud_") else pseudonym(key, v) for v in values}
        else:
            mapping = {v: REDACTED for v in values}
        changes[column] = MapValues(tuple(sorted(mapping.items(), key=repr)))
    return changes


def _close_restores(
    sessions: sessionmaker[Session], since: datetime, system: str | None, actor: str, done: Mapping[str, int]
) -> None:
    with sessions.begin() as session:
        closed = []
        for restore in pending_restores(session):
            # A replay covers a restore when it starts no later than the backup was taken.
            if (system is None or restore.system == system) and since <= restore.backup_taken_at:
                restore.replayed_at = datetime.now(since.tzinfo)
                restore.replayed_rows = sum(v for k, v in done.items() if k.startswith(f"{restore.system}."))
                closed.append(restore.id)
        chain.append(
            session,
            actor=actor,
            action="retention.replayed",
            entity="retention_ledger",
            entity_id="replay",
            data={
                "since": since.isoformat(),
                "system": system,
                "rows": dict(done),
                "restores_closed": closed,
            },
        )
