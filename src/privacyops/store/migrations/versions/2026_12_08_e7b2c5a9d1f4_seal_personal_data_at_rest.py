"""Personal data sealed at rest: store keys, and identities, contact addresses, details and mail encrypted.

Values stored in clear by earlier versions are sealed under the first store key, derived from the
deployment's secret key (``PRIVACYOPS_SECRET_KEY`` or ``<home>/secret_key``); the secret is read only
if there is such a value. Downgrading opens them again.

Revision ID: e7b2c5a9d1f4
Revises: c4a9e1d07f3b
Create Date: 2026-12-08 12:00:00
"""

from __future__ import annotations

import base64
import os
import secrets
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import context, op

from privacyops.store import sealing

revision: str = "e7b2c5a9d1f4"
down_revision: str | None = "c4a9e1d07f3b"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (table, primary key, column) as of this revision; later sealed columns bring their own migration.
SEALED = [
    ("request_identities", "id", "value"),
    ("subject_requests", "id", "contact_email"),
    ("subject_requests", "id", "details"),
    ("opendsr_requests", "id", "identities"),
    ("outbox_messages", "id", "recipient"),
    ("outbox_messages", "id", "body_text"),
    ("outbox_messages", "id", "body_html"),
]
# Columns whose type becomes TEXT to hold the longer ciphertext: (table, column, old type).
WIDENED: list[tuple[str, str, Any]] = [
    ("request_identities", "value", sa.String(length=320)),
    ("subject_requests", "contact_email", sa.String(length=320)),
    ("opendsr_requests", "identities", sa.JSON()),
    ("outbox_messages", "recipient", sa.String(length=320)),
]
BATCH = 500


def upgrade() -> None:
    op.create_table(
        "store_keys",
        sa.Column("id", sa.String(length=16), nullable=False),
        sa.Column("salt", sa.String(length=64), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("rewrapped", sa.Integer(), server_default="0", nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_store_keys")),
    )
    for table, column, old in WIDENED:
        _retype(table, column, old, sa.Text())
    key_id, salt = secrets.token_hex(4), base64.b64encode(os.urandom(32)).decode("ascii")
    op.get_bind().execute(
        sa.text("INSERT INTO store_keys (id, salt, state, created_at, rewrapped) "
                "VALUES (:id, :salt, 'active', :now, 0)"),
        {"id": key_id, "salt": salt, "now": datetime.now(UTC)},
    )
    kek: list[bytes] = []  # derived only when a clear value turns up

    def seal(text: str, purpose: str) -> str:
        if not kek:
            kek.append(sealing.derive_kek(_secret(), base64.b64decode(salt), key_id))
        return sealing.seal(text, purpose=purpose, key_id=key_id, kek=kek[0])

    _rewrite(lambda text, purpose: None if sealing.is_sealed(text) else seal(text, purpose))


def downgrade() -> None:
    bind = op.get_bind()
    keys = {r.id: r.salt for r in bind.execute(sa.text("SELECT id, salt FROM store_keys")) if r.salt}
    keks: dict[str, bytes] = {}

    def open_(text: str, purpose: str) -> str | None:
        if not sealing.is_sealed(text):
            return None
        key_id = sealing.key_id_of(text)
        if key_id not in keks:
            keks[key_id] = sealing.derive_kek(_secret(), base64.b64decode(keys[key_id]), key_id)
        return sealing.open_sealed(text, purpose=purpose, kek=keks[key_id])

    _rewrite(open_)
    for table, column, old in WIDENED:
        _retype(table, column, sa.Text(), old)
    op.drop_table("store_keys")


def _secret() -> bytes:
    source = context.config.attributes.get("privacyops_secret")
    if source is None:
        raise RuntimeError("sealing or opening stored personal data needs the deployment's secret key: "
                           "run `privacyops db upgrade` with PRIVACYOPS_SECRET_KEY or the home folder set")
    return bytes(source() if callable(source) else source)


def _rewrite(change: Callable[[str, str], str | None]) -> None:
    """Apply ``change`` to every stored value of the sealed columns, in batches by primary key."""
    bind = op.get_bind()
    for table, pk, column in SEALED:
        last: object = None
        while True:
            after = "" if last is None else f" AND {pk} > :last"
            rows = bind.execute(
                sa.text(f"SELECT {pk} AS pk, {column} AS value FROM {table} "  # names from SEALED
                        f"WHERE {column} IS NOT NULL{after} ORDER BY {pk} LIMIT {BATCH}"),
                {"last": last},
            ).all()
            if not rows:
                break
            for row in rows:
                new = change(str(row.value), f"{table}.{column}")
                if new is not None:
                    bind.execute(sa.text(f"UPDATE {table} SET {column} = :v WHERE {pk} = :pk"),
                                 {"v": new, "pk": row.pk})
            last = rows[-1].pk


def _retype(table: str, column: str, old: Any, new: Any) -> None:
    using = f"{column}::text" if isinstance(new, sa.Text) else None
    if isinstance(new, sa.JSON):
        using = f"{column}::json"
    with op.batch_alter_table(table, schema=None) as batch_op:
        batch_op.alter_column(column, existing_type=old, type_=new, postgresql_using=using)
