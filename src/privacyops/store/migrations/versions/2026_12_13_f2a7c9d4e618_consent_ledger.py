"""Consent ledger: append-only receipts (the database refuses UPDATE and DELETE), derived states, contacts.

Revision ID: f2a7c9d4e618
Revises: d5e8a1c7b340
Create Date: 2026-12-13 09:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "f2a7c9d4e618"
down_revision: str | None = "d5e8a1c7b340"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

REFUSAL = "consent_receipts is append-only: a receipt cannot be changed or deleted (CN-1)"
SQLITE_TRIGGERS = [
    f"CREATE TRIGGER consent_receipts_no_{verb.lower()} BEFORE {verb} ON consent_receipts "
    f"BEGIN SELECT RAISE(ABORT, '{REFUSAL}'); END"
    for verb in ("UPDATE", "DELETE")
]
POSTGRES_FUNCTION = (
    "CREATE FUNCTION consent_receipts_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
    f"BEGIN RAISE EXCEPTION '{REFUSAL}' USING ERRCODE = 'restrict_violation'; END $$"
)
POSTGRES_TRIGGERS = [
    "CREATE TRIGGER consent_receipts_append_only BEFORE UPDATE OR DELETE ON consent_receipts "
    "FOR EACH ROW EXECUTE FUNCTION consent_receipts_append_only()",
    "CREATE TRIGGER consent_receipts_no_truncate BEFORE TRUNCATE ON consent_receipts "
    "FOR EACH STATEMENT EXECUTE FUNCTION consent_receipts_append_only()",
]


def upgrade() -> None:
    op.create_table(
        "consent_receipts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("receipt_id", sa.String(length=32), nullable=False),
        sa.Column("subject_key", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("purpose", sa.String(length=100), nullable=False),
        sa.Column("scope", sa.String(length=100), server_default="", nullable=False),
        sa.Column("granted", sa.Boolean(), nullable=False),
        sa.Column("notice_version", sa.String(length=40), nullable=False),
        sa.Column("notice_hash", sa.String(length=64), nullable=False),
        sa.Column("purpose_hash", sa.String(length=64), nullable=False),
        sa.Column("text_shown", sa.Text(), nullable=False),
        sa.Column("method", sa.String(length=40), nullable=False),
        sa.Column("channel", sa.String(length=40), nullable=False),
        sa.Column("regime", sa.String(length=40), nullable=True),
        sa.Column("signal", sa.String(length=20), nullable=True),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("receipt_id"),
    )
    op.create_index(
        "ix_consent_receipts_subject_purpose",
        "consent_receipts",
        ["subject_key", "purpose", "id"],
        unique=False,
    )
    op.create_table(
        "consent_states",
        sa.Column("subject_key", sa.String(length=64), nullable=False),
        sa.Column("purpose", sa.String(length=100), nullable=False),
        sa.Column("scope", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("granted", sa.Boolean(), nullable=False),
        sa.Column("receipt_id", sa.String(length=32), nullable=False),
        sa.Column("notice_version", sa.String(length=40), nullable=False),
        sa.Column("purpose_hash", sa.String(length=64), nullable=False),
        sa.Column("method", sa.String(length=40), nullable=False),
        sa.Column("signal", sa.String(length=20), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("subject_key", "purpose", "scope"),
    )
    op.create_table(
        "consent_contacts",
        sa.Column("subject_key", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("subject_key"),
    )
    if op.get_bind().dialect.name == "postgresql":
        for statement in (POSTGRES_FUNCTION, *POSTGRES_TRIGGERS):
            op.execute(statement)
    else:
        for statement in SQLITE_TRIGGERS:
            op.execute(statement)


def downgrade() -> None:
    # Dropping the table drops its triggers; the PostgreSQL function is dropped after it.
    op.drop_table("consent_contacts")
    op.drop_table("consent_states")
    op.drop_index("ix_consent_receipts_subject_purpose", table_name="consent_receipts")
    op.drop_table("consent_receipts")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION consent_receipts_append_only()")
