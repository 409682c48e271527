"""Evidence files of requests and tasks, the last discovery scans' summaries, authorised agents.

Revision ID: 66a34ce9254b
Revises: c8e3b7a51d92
Create Date: 2026-12-15 09:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "66a34ce9254b"
down_revision: str | None = "c8e3b7a51d92"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "evidence_files",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "request_id",
            sa.String(32),
            sa.ForeignKey("subject_requests.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column(
            "task_id", sa.Integer(), sa.ForeignKey("recipient_tasks.id", ondelete="CASCADE"), nullable=True
        ),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("file_name", sa.Text(), nullable=False),
        sa.Column("content_type", sa.String(100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("uploaded_by", sa.String(200), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_evidence_files_request_id", "evidence_files", ["request_id"])
    op.create_index("ix_evidence_files_task_id", "evidence_files", ["task_id"])
    op.create_table(
        "discovery_scans",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("system", sa.String(200), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("columns", sa.JSON(), nullable=False),
        sa.Column("tables_scanned", sa.JSON(), nullable=False),
        sa.Column("tables_not_scanned", sa.JSON(), nullable=False),
        sa.Column("undeclared_tables", sa.JSON(), nullable=False),
        sa.Column("error", sa.String(300), nullable=True),
        sa.Column("started_by", sa.String(200), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("seconds", sa.Double(), nullable=False),
    )
    op.create_index("ix_discovery_scans_system_started", "discovery_scans", ["system", "started_at"])
    op.create_table(
        "request_agents",
        sa.Column(
            "request_id",
            sa.String(32),
            sa.ForeignKey("subject_requests.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("email", sa.Text(), nullable=False),
        sa.Column("attested", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("request_agents")
    op.drop_index("ix_discovery_scans_system_started", table_name="discovery_scans")
    op.drop_table("discovery_scans")
    op.drop_index("ix_evidence_files_task_id", table_name="evidence_files")
    op.drop_index("ix_evidence_files_request_id", table_name="evidence_files")
    op.drop_table("evidence_files")
