"""Console users (people who sign into the admin console) and their server-side sessions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from privacyops.store.base import Base
from privacyops.store.models.types import UtcDateTime, utcnow


class ConsoleUser(Base):
    """A member of the privacy team: a user name, an argon2 password hash and a role."""

    __tablename__ = "console_users"
    __table_args__ = (
        UniqueConstraint("username"),
        CheckConstraint("role IN ('viewer', 'reviewer', 'admin')", name="console_role"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    disabled_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    last_sign_in_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    # Single sign-on users: the keyed hash of the provider's issuer and subject; they have no password.
    sso_subject: Mapped[str | None] = mapped_column(String(64), nullable=True, unique=True, index=True)


class ConsoleSession(Base):
    """A signed-in browser: only the SHA-256 of its cookie is kept, with its CSRF token and expiry."""

    __tablename__ = "console_sessions"
    __table_args__ = (UniqueConstraint("token_sha256"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_sha256: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[int] = mapped_column(ForeignKey("console_users.id", ondelete="CASCADE"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
