"""Console users signed in through OpenID Connect: the keyed hash of their provider identity.

Revision ID: a9d3f6b2e417
Revises: 66a34ce9254b
Create Date: 2026-12-16 09:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "a9d3f6b2e417"
down_revision: str | None = "66a34ce9254b"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("console_users", sa.Column("sso_subject", sa.String(64), nullable=True))
    op.create_index("ix_console_users_sso_subject", "console_users", ["sso_subject"], unique=True)


def downgrade() -> None:
    op.drop_index("ix_console_users_sso_subject", table_name="console_users")
    with op.batch_alter_table("console_users") as batch:
        batch.drop_column("sso_subject")
