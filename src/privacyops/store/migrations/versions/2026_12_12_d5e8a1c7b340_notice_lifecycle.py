"""The notice over time: version texts and changes, change subscriptions, who was told, disclosures.

Revision ID: d5e8a1c7b340
Revises: b6c1e4f09a27
Create Date: 2026-12-12 09:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "d5e8a1c7b340"
down_revision: str | None = "b6c1e4f09a27"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("notice_versions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("manifest_text", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("notice_html", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("changes", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("material", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.create_table(
        "change_subscriptions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.Text(), nullable=False),
        sa.Column("email_hash", sa.String(length=64), nullable=False),
        sa.Column("topic", sa.String(length=32), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("unsubscribed_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_change_subscriptions")),
        sa.UniqueConstraint("email_hash", "topic", name=op.f("uq_change_subscriptions_email_hash")),
    )
    op.create_table(
        "notice_notifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("subscription_id", sa.Integer(), nullable=True),
        sa.Column("outbox_message_id", sa.Integer(), nullable=True),
        sa.Column("subject_hash", sa.String(length=64), nullable=True),
        sa.Column("told_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["notice_versions.id"],
            name=op.f("fk_notice_notifications_version_id_notice_versions"),
        ),
        sa.ForeignKeyConstraint(
            ["subscription_id"],
            ["change_subscriptions.id"],
            ondelete="SET NULL",
            name=op.f("fk_notice_notifications_subscription_id_change_subscriptions"),
        ),
        sa.ForeignKeyConstraint(
            ["outbox_message_id"],
            ["outbox_messages.id"],
            ondelete="SET NULL",
            name=op.f("fk_notice_notifications_outbox_message_id_outbox_messages"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notice_notifications")),
    )
    op.create_index(op.f("ix_notice_notifications_version_id"), "notice_notifications", ["version_id"])
    op.create_table(
        "disclosures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("recipient", sa.String(length=200), nullable=False),
        sa.Column("letters", sa.JSON(), nullable=False),
        sa.Column("purpose", sa.String(length=120), nullable=True),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sa.String(length=120), nullable=False),
        sa.Column("request_id", sa.String(length=32), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_disclosures")),
    )
    op.create_index("ix_disclosures_kind_occurred", "disclosures", ["kind", "occurred_at"])


def downgrade() -> None:
    op.drop_index("ix_disclosures_kind_occurred", table_name="disclosures")
    op.drop_table("disclosures")
    op.drop_index(op.f("ix_notice_notifications_version_id"), table_name="notice_notifications")
    op.drop_table("notice_notifications")
    op.drop_table("change_subscriptions")
    with op.batch_alter_table("notice_versions", schema=None) as batch_op:
        batch_op.drop_column("material")
        batch_op.drop_column("changes")
        batch_op.drop_column("notice_html")
        batch_op.drop_column("manifest_text")
