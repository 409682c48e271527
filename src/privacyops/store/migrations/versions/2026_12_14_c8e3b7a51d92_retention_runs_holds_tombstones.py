"""Retention: sweep runs, legal holds, the tombstone ledger and declared backup restores.

Revision ID: c8e3b7a51d92
Revises: f2a7c9d4e618
Create Date: 2026-12-14 09:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c8e3b7a51d92"
down_revision: str | None = "f2a7c9d4e618"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "retention_runs",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("rule", sa.String(200), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("dry_run", sa.Boolean(), nullable=False),
        sa.Column("cutoff", sa.DateTime(timezone=True), nullable=False),
        sa.Column("rows", sa.JSON(), nullable=False),
        sa.Column("held", sa.JSON(), nullable=False),
        sa.Column("report", sa.JSON(), nullable=False),
        sa.Column("errors", sa.JSON(), nullable=False),
        sa.Column("resumed_from", sa.Integer(), nullable=True),
        sa.Column("owner", sa.String(200), nullable=True),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("seconds", sa.Double(), nullable=False),
    )
    op.create_index("ix_retention_runs_rule_status", "retention_runs", ["rule", "status"])
    op.create_table(
        "retention_holds",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("scope", sa.String(20), nullable=False),
        sa.Column("target", sa.String(300), nullable=False),
        sa.Column("identity_kind", sa.String(40), nullable=True),
        sa.Column("reason_code", sa.String(100), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("request_id", sa.String(32), nullable=True),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("released_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("released_by", sa.String(200), nullable=True),
    )
    op.create_index("ix_retention_holds_scope", "retention_holds", ["scope", "target", "released_at"])
    op.create_index("ix_retention_holds_request_id", "retention_holds", ["request_id"])
    op.create_table(
        "retention_tombstones",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("source", sa.String(20), nullable=False),
        sa.Column("ref", sa.String(64), nullable=False),
        sa.Column("system", sa.String(200), nullable=False),
        sa.Column("table_name", sa.String(200), nullable=False),
        sa.Column("action", sa.String(20), nullable=False),
        sa.Column("key_columns", sa.JSON(), nullable=False),
        sa.Column("keys", sa.Text(), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.Column("identity_hashes", sa.JSON(), nullable=False),
    )
    op.create_index("ix_retention_tombstones_created", "retention_tombstones", ["created_at"])
    op.create_table(
        "retention_restores",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("system", sa.String(200), nullable=False),
        sa.Column("backup_taken_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("declared_by", sa.String(200), nullable=False),
        sa.Column("declared_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("replayed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("replayed_rows", sa.Integer(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("retention_restores")
    op.drop_index("ix_retention_tombstones_created", table_name="retention_tombstones")
    op.drop_table("retention_tombstones")
    op.drop_index("ix_retention_holds_request_id", table_name="retention_holds")
    op.drop_index("ix_retention_holds_scope", table_name="retention_holds")
    op.drop_table("retention_holds")
    op.drop_index("ix_retention_runs_rule_status", table_name="retention_runs")
    op.drop_table("retention_runs")
