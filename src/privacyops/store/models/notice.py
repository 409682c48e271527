"""Published versions of the manifest and of the notice rendered from it, and who was told of them."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from privacyops.store.base import Base
from privacyops.store.models.sealed import SealedText
from privacyops.store.models.types import UtcDateTime, utcnow

PENDING = "pending"
CONFIRMED = "confirmed"
UNSUBSCRIBED = "unsubscribed"


class NoticeVersion(Base):
    """One published version: the manifest text, the notice it produced, and how it differs from the last.

    ``id`` is the version's number in the archive (``/privacy/versions/<id>``); ``changes`` holds the
    classified differences from the version before (a list of dicts, see privacyops.lifecycle.changes).
    """

    __tablename__ = "notice_versions"
    __table_args__ = (UniqueConstraint("version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[str] = mapped_column(String(64))
    manifest_sha256: Mapped[str] = mapped_column(String(64))
    notice_sha256: Mapped[str] = mapped_column(String(64))
    effective_date: Mapped[date] = mapped_column(Date)
    published_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    manifest_text: Mapped[str | None] = mapped_column(Text, nullable=True)
    notice_html: Mapped[str | None] = mapped_column(Text, nullable=True)
    changes: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON, nullable=True)
    material: Mapped[bool] = mapped_column(Boolean, default=False)


class ChangeSubscription(Base):
    """An address that asked to hear of changes (``topic``: ``notice`` or ``subprocessors``).

    The address is sealed; ``email_hash`` (keyed) finds an existing subscription without opening it.
    A subscription receives nothing until it is confirmed through the link mailed to it (double opt-in).
    """

    __tablename__ = "change_subscriptions"
    __table_args__ = (UniqueConstraint("email_hash", "topic"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(SealedText("change_subscriptions.email"))
    email_hash: Mapped[str] = mapped_column(String(64))
    topic: Mapped[str] = mapped_column(String(32))
    state: Mapped[str] = mapped_column(String(16), default=PENDING)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    unsubscribed_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)


class NoticeNotification(Base):
    """Who was told of a version, how and when: a queued mail to a subscriber, or an in-app display.

    ``subject_hash`` is the keyed hash of the host application's user reference (in-app), never the
    reference itself.
    """

    __tablename__ = "notice_notifications"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("notice_versions.id"), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    subscription_id: Mapped[int | None] = mapped_column(
        ForeignKey("change_subscriptions.id", ondelete="SET NULL"), nullable=True
    )
    outbox_message_id: Mapped[int | None] = mapped_column(
        ForeignKey("outbox_messages.id", ondelete="SET NULL"), nullable=True
    )
    subject_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    told_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
