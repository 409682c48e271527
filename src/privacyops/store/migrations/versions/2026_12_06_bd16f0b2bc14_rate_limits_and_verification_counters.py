"""Rate limit windows shared by the API processes; codes sent and wrong codes counted per request.

Revision ID: bd16f0b2bc14
Revises: 5c0d7e2a91b4
Create Date: 2026-12-06 18:27:36
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "bd16f0b2bc14"
down_revision: str | None = "5c0d7e2a91b4"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "rate_limit_windows",
        sa.Column("bucket", sa.String(length=120), nullable=False),
        sa.Column("window_start", sa.BigInteger(), nullable=False),
        sa.Column("hits", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("bucket", "window_start", name=op.f("pk_rate_limit_windows")),
    )
    with op.batch_alter_table("rate_limit_windows", schema=None) as batch_op:
        batch_op.create_index("ix_rate_limit_windows_window_start", ["window_start"], unique=False)

    with op.batch_alter_table("subject_requests", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("verification_codes_sent", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.add_column(
            sa.Column("verification_failures", sa.Integer(), server_default="0", nullable=False)
        )



def downgrade() -> None:
    with op.batch_alter_table("subject_requests", schema=None) as batch_op:
        batch_op.drop_column("verification_failures")
        batch_op.drop_column("verification_codes_sent")

    with op.batch_alter_table("rate_limit_windows", schema=None) as batch_op:
        batch_op.drop_index("ix_rate_limit_windows_window_start")

    op.drop_table("rate_limit_windows")
