"""Store key rotation: a new store key, every sealed value moved onto it in batches, the old key retired.

A rotation is resumable. Starting one adds a key and marks the keys before it ``retiring`` (they still
open values, they seal none); each batch commits on its own; a rotation stopped midway is finished by
running it again, which finds the ``retiring`` keys and carries on. Values keep their ciphertext: only
their data key is re-wrapped. Values still in clear are sealed on the way. Processes that have not read
the new key yet may seal under the old one for up to ``keyring.REFRESH_SECONDS``, so the last sweep runs
after that delay. Retiring a key deletes its salt: nothing it wrapped can be opened afterwards. Start,
end and progress go to the audit chain.
"""

from __future__ import annotations

import base64
import os
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

import privacyops.store.models  # noqa: F401  (registers every sealed column)
from privacyops.audit import chain
from privacyops.store import keyring, sealing
from privacyops.store.models import keys as model
from privacyops.store.models.sealed import SEALED_COLUMNS

BATCH_SIZE = 500
GRACE_SECONDS = 2 * keyring.REFRESH_SECONDS
ENTITY = "store_key"


class RotationError(RuntimeError):
    """Some sealed values could not be moved to the new key; the old key stays until they are."""


@dataclass
class Rotation:
    """What a rotation did: the new key, the keys it retired, and how many values it moved."""

    key_id: str
    retired: list[str] = field(default_factory=list)
    rewrapped: int = 0
    sealed: int = 0
    resumed: bool = False


def rotate(
    engine: sa.Engine,
    *,
    actor: str = "cli",
    batch_size: int = BATCH_SIZE,
    grace_seconds: float = GRACE_SECONDS,
    after_batch: Callable[[int], None] | None = None,
) -> Rotation:
    """Rotate the store key of ``engine``'s database (or finish a rotation that was stopped)."""
    ring = keyring.of(engine.dialect)
    rotation, created_at = _begin(engine, ring, actor)
    keks = _keks(engine, ring)
    _sweep(engine, rotation, keks, batch_size, after_batch)
    # Other processes may still seal under the old key until they read the new one: sweep once more.
    time.sleep(max(0.0, created_at + grace_seconds - time.time()))
    _sweep(engine, rotation, keks, batch_size, after_batch)
    _finish(engine, rotation, actor)
    ring.refresh()
    return rotation


def _begin(engine: sa.Engine, ring: keyring.Keyring, actor: str) -> tuple[Rotation, float]:
    with Session(engine, expire_on_commit=False) as session, session.begin():
        rows = session.scalars(sa.select(model.StoreKey).order_by(model.StoreKey.created_at)).all()
        active = [k for k in rows if k.state == model.ACTIVE]
        if active and any(k.state == model.RETIRING for k in rows):  # a rotation was stopped midway
            current = active[-1]
            resumed = Rotation(current.id, rewrapped=current.rewrapped, resumed=True)
            return resumed, current.created_at.timestamp()
        now = datetime.now(UTC)
        salt = base64.b64encode(os.urandom(32)).decode("ascii")
        new = model.StoreKey(id=secrets.token_hex(4), salt=salt, state=model.ACTIVE, created_at=now,
                             rewrapped=0)
        ring.kek_for(new.id, salt)  # fails here, before any change, if the secret is unusable
        for key in active:
            key.state = model.RETIRING
        session.add(new)
        chain.append(session, actor=actor, action="store_key.rotation_started", entity=ENTITY,
                     entity_id=new.id, data={"replaces": [k.id for k in active]})
    return Rotation(new.id), now.timestamp()


def _keks(engine: sa.Engine, ring: keyring.Keyring) -> dict[str, bytes]:
    with engine.connect() as connection:
        rows = keyring.read_keys(connection)
    return {row.id: ring.kek_for(row.id, row.salt) for row in rows if row.salt}


def _sweep(engine: sa.Engine, rotation: Rotation, keks: dict[str, bytes], batch_size: int,
           after_batch: Callable[[int], None] | None) -> None:
    failed: list[str] = []
    for table, pk, column in SEALED_COLUMNS:
        last: object = None
        while True:
            moved, last, problems = _batch(engine, rotation, keks, (table, pk, column), last, batch_size)
            failed += problems
            if last is None:
                break
            if after_batch is not None and moved:
                after_batch(moved)
    if failed:
        raise RotationError(f"{len(failed)} sealed values could not be opened ({'; '.join(failed[:3])}); "
                            "the old keys stay until they are fixed or deleted")


def _batch(engine: sa.Engine, rotation: Rotation, keks: dict[str, bytes], where: tuple[str, str, str],
           last: object, batch_size: int) -> tuple[int, object, list[str]]:
    """Move one batch of a column onto the new key; returns how many, the last key seen, what failed."""
    table, pk, column = where
    after = "" if last is None else f" AND {pk} > :last"
    select = sa.text(f"SELECT {pk} AS pk, {column} AS value FROM {table} "  # names from SEALED_COLUMNS
                     f"WHERE {column} IS NOT NULL AND {column} NOT LIKE :current{after} "
                     f"ORDER BY {pk} LIMIT {int(batch_size)}")
    update = sa.text(f"UPDATE {table} SET {column} = :value WHERE {pk} = :pk AND {column} = :old")
    new_kek, moved, sealed = keks[rotation.key_id], 0, 0
    problems: list[str] = []
    with engine.begin() as connection:
        current = f"{sealing.PREFIX}{rotation.key_id}:%"
        rows = connection.execute(select, {"current": current, "last": last}).all()
        for row in rows:
            try:
                value = _moved(str(row.value), f"{table}.{column}", keks, rotation.key_id, new_kek)
            except (sealing.SealingError, KeyError) as exc:
                problems.append(f"{table}.{column} {pk}={row.pk}: {exc}")
                continue
            # A row changed since it was read (a new value, sealed under the new key) is left as it is.
            moved += connection.execute(update, {"value": value, "pk": row.pk, "old": row.value}).rowcount
            sealed += 0 if sealing.is_sealed(str(row.value)) else 1
        connection.execute(sa.text("UPDATE store_keys SET rewrapped = rewrapped + :n WHERE id = :id"),
                           {"n": moved, "id": rotation.key_id})
    rotation.rewrapped += moved
    rotation.sealed += sealed
    return moved, (rows[-1].pk if rows else None), problems


def _moved(text: str, purpose: str, keks: dict[str, bytes], key_id: str, kek: bytes) -> str:
    if not sealing.is_sealed(text):
        return sealing.seal(text, purpose=purpose, key_id=key_id, kek=kek)
    return sealing.rewrap(text, old_kek=keks[sealing.key_id_of(text)], key_id=key_id, kek=kek)


def _finish(engine: sa.Engine, rotation: Rotation, actor: str) -> None:
    with Session(engine, expire_on_commit=False) as session, session.begin():
        retiring = session.execute(
            sa.select(model.StoreKey).where(model.StoreKey.state == model.RETIRING)
        ).scalars().all()
        now = datetime.now(UTC)
        for key in retiring:
            key.state, key.salt, key.retired_at = model.RETIRED, None, now
            rotation.retired.append(key.id)
        chain.append(session, actor=actor, action="store_key.rotation_finished", entity=ENTITY,
                     entity_id=rotation.key_id,
                     data={"retired": rotation.retired, "rewrapped": rotation.rewrapped,
                           "resumed": rotation.resumed})
