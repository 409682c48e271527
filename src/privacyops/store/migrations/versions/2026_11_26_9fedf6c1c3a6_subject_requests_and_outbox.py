"""Subject requests: requests, identities, transitions, verification codes, suppressions, the outbox.

Revision ID: 9fedf6c1c3a6
Revises: 0001
Create Date: 2026-11-26 21:11:55.079293
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "9fedf6c1c3a6"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "erasure_suppressions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("value_hash", sa.String(length=64), nullable=False),
        sa.Column("request_id", sa.String(length=32), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_erasure_suppressions")),
        sa.UniqueConstraint("kind", "value_hash", name=op.f("uq_erasure_suppressions_kind")),
    )
    op.create_table(
        "subject_requests",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("request_type", sa.String(length=40), nullable=False),
        sa.Column("state", sa.String(length=40), nullable=False),
        sa.Column("channel", sa.String(length=40), nullable=False),
        sa.Column("regions", sa.JSON(), nullable=False),
        sa.Column("subject_key", sa.String(length=64), nullable=False),
        sa.Column("contact_email", sa.String(length=320), nullable=True),
        sa.Column("details", sa.Text(), nullable=True),
        sa.Column("external_ref", sa.String(length=300), nullable=True),
        sa.Column("via_agent", sa.Boolean(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("verified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("acknowledgement_due", sa.Date(), nullable=True),
        sa.Column("response_due", sa.Date(), nullable=True),
        sa.Column("deadlines", sa.JSON(), nullable=False),
        sa.Column("extensions", sa.JSON(), nullable=False),
        sa.Column("flags", sa.JSON(), nullable=False),
        sa.Column("response_nature", sa.String(length=40), nullable=True),
        sa.Column("denial_code", sa.String(length=40), nullable=True),
        sa.Column("denial_reason", sa.Text(), nullable=True),
        sa.Column("duplicate_of", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["duplicate_of"],
            ["subject_requests.id"],
            name=op.f("fk_subject_requests_duplicate_of_subject_requests"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subject_requests")),
    )
    with op.batch_alter_table("subject_requests", schema=None) as batch_op:
        batch_op.create_index("ix_subject_requests_external_ref", ["channel", "external_ref"], unique=False)
        batch_op.create_index("ix_subject_requests_received_at", ["received_at"], unique=False)
        batch_op.create_index(
            "ix_subject_requests_subject_type", ["subject_key", "request_type"], unique=False
        )

    op.create_table(
        "outbox_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.String(length=200), nullable=False),
        sa.Column("request_id", sa.String(length=32), nullable=True),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("recipient", sa.String(length=320), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("body_text", sa.Text(), nullable=False),
        sa.Column("body_html", sa.Text(), nullable=False),
        sa.Column("secret_body", sa.Boolean(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["subject_requests.id"],
            name=op.f("fk_outbox_messages_request_id_subject_requests"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_messages")),
        sa.UniqueConstraint("message_id", name=op.f("uq_outbox_messages_message_id")),
    )
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_outbox_messages_request_id"), ["request_id"], unique=False)
        batch_op.create_index("ix_outbox_messages_state_created", ["state", "created_at"], unique=False)

    op.create_table(
        "request_identities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("value_hash", sa.String(length=64), nullable=False),
        sa.Column("value", sa.String(length=320), nullable=True),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["subject_requests.id"],
            name=op.f("fk_request_identities_request_id_subject_requests"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_request_identities")),
    )
    with op.batch_alter_table("request_identities", schema=None) as batch_op:
        batch_op.create_index("ix_request_identities_kind_hash", ["kind", "value_hash"], unique=False)
        batch_op.create_index(batch_op.f("ix_request_identities_request_id"), ["request_id"], unique=False)

    op.create_table(
        "request_transitions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.String(length=32), nullable=False),
        sa.Column("source", sa.String(length=40), nullable=False),
        sa.Column("target", sa.String(length=40), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("audit_event_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["subject_requests.id"],
            name=op.f("fk_request_transitions_request_id_subject_requests"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_request_transitions")),
    )
    with op.batch_alter_table("request_transitions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_request_transitions_request_id"), ["request_id"], unique=False)

    op.create_table(
        "verification_challenges",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.String(length=32), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("channel", sa.String(length=40), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("failed_attempts", sa.Integer(), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["subject_requests.id"],
            name=op.f("fk_verification_challenges_request_id_subject_requests"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_verification_challenges")),
    )
    with op.batch_alter_table("verification_challenges", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_verification_challenges_expires_at"), ["expires_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_verification_challenges_request_id"), ["request_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("verification_challenges", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_verification_challenges_request_id"))
        batch_op.drop_index(batch_op.f("ix_verification_challenges_expires_at"))

    op.drop_table("verification_challenges")
    with op.batch_alter_table("request_transitions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_request_transitions_request_id"))

    op.drop_table("request_transitions")
    with op.batch_alter_table("request_identities", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_request_identities_request_id"))
        batch_op.drop_index("ix_request_identities_kind_hash")

    op.drop_table("request_identities")
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_messages_state_created")
        batch_op.drop_index(batch_op.f("ix_outbox_messages_request_id"))

    op.drop_table("outbox_messages")
    with op.batch_alter_table("subject_requests", schema=None) as batch_op:
        batch_op.drop_index("ix_subject_requests_subject_type")
        batch_op.drop_index("ix_subject_requests_received_at")
        batch_op.drop_index("ix_subject_requests_external_ref")

    op.drop_table("subject_requests")
    op.drop_table("erasure_suppressions")
