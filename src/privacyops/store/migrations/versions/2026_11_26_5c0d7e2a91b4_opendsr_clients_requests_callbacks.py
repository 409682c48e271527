"""OpenDSR: customer clients bound to a project, their requests and status callbacks; request forwards.

Revision ID: 5c0d7e2a91b4
Revises: 409130d77862
Create Date: 2026-11-26 21:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "5c0d7e2a91b4"
down_revision: str | None = "409130d77862"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "opendsr_clients",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("project_id", sa.String(length=200), nullable=False),
        sa.Column("token_sha256", sa.String(length=64), nullable=False),
        sa.Column("admin_emails", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_opendsr_clients")),
        sa.UniqueConstraint("token_sha256", name=op.f("uq_opendsr_clients_token_sha256")),
    )
    op.create_index("ix_opendsr_clients_project", "opendsr_clients", ["project_id"])
    op.create_table(
        "opendsr_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("subject_request_id", sa.String(length=36), nullable=False),
        sa.Column("subject_request_type", sa.String(length=20), nullable=False),
        sa.Column("regulation", sa.String(length=10), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("api_version", sa.String(length=20), nullable=False),
        sa.Column("submitted_time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("received_time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expected_completion_time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("controller_due", sa.DateTime(timezone=True), nullable=False),
        sa.Column("callback_urls", sa.JSON(), nullable=False),
        sa.Column("identities", sa.JSON(), nullable=False),
        sa.Column("results", sa.JSON(), nullable=True),
        sa.Column("results_count", sa.Integer(), nullable=True),
        sa.Column("failure", sa.Text(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["client_id"], ["opendsr_clients.id"],
            name=op.f("fk_opendsr_requests_client_id_opendsr_clients"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_opendsr_requests")),
        sa.UniqueConstraint("client_id", "subject_request_id", name=op.f("uq_opendsr_requests_client_id")),
    )
    op.create_index(
        op.f("ix_opendsr_requests_subject_request_id"), "opendsr_requests", ["subject_request_id"]
    )
    op.create_table(
        "opendsr_callbacks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("request_status", sa.String(length=20), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["request_id"], ["opendsr_requests.id"],
            name=op.f("fk_opendsr_callbacks_request_id_opendsr_requests"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_opendsr_callbacks")),
    )
    op.create_index(op.f("ix_opendsr_callbacks_request_id"), "opendsr_callbacks", ["request_id"])
    op.create_index("ix_opendsr_callbacks_state", "opendsr_callbacks", ["state"])
    op.create_table(
        "request_forwards",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.String(length=32), nullable=False),
        sa.Column("forwarded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("project_ids", sa.JSON(), nullable=False),
        sa.Column("client_ids", sa.JSON(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["request_id"], ["subject_requests.id"],
            name=op.f("fk_request_forwards_request_id_subject_requests"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_request_forwards")),
        sa.UniqueConstraint("request_id", name=op.f("uq_request_forwards_request_id")),
    )


def downgrade() -> None:
    op.drop_table("request_forwards")
    op.drop_index("ix_opendsr_callbacks_state", table_name="opendsr_callbacks")
    op.drop_index(op.f("ix_opendsr_callbacks_request_id"), table_name="opendsr_callbacks")
    op.drop_table("opendsr_callbacks")
    op.drop_index(op.f("ix_opendsr_requests_subject_request_id"), table_name="opendsr_requests")
    op.drop_table("opendsr_requests")
    op.drop_index("ix_opendsr_clients_project", table_name="opendsr_clients")
    op.drop_table("opendsr_clients")
