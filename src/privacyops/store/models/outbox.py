"""Outgoing messages, written in the same transaction as the change they announce (the outbox)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from privacyops.store.base import Base
from privacyops.store.models.sealed import SealedText
from privacyops.store.models.types import UtcDateTime, utcnow

PENDING = "pending"
SENDING = "sending"
SENT = "sent"
FAILED = "failed"


class OutboxMessage(Base):
    """One email to send; ``message_id`` is the RFC 5322 Message-ID, fixed when the row is written."""

    __tablename__ = "outbox_messages"
    __table_args__ = (
        UniqueConstraint("message_id"),
        Index("ix_outbox_messages_state_created", "state", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    message_id: Mapped[str] = mapped_column(String(200))
    request_id: Mapped[str | None] = mapped_column(
        String(32), ForeignKey("subject_requests.id", ondelete="SET NULL"), nullable=True, index=True
    )
    kind: Mapped[str] = mapped_column(String(40))
    # The address and the bodies (codes, links, names) are sealed at rest (store.sealing).
    recipient: Mapped[str] = mapped_column(SealedText("outbox_messages.recipient"))
    subject: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(SealedText("outbox_messages.body_text"))
    body_html: Mapped[str] = mapped_column(SealedText("outbox_messages.body_html"))
    # A body holding a one-time code is blanked once sent, so the code does not outlive its use.
    secret_body: Mapped[bool] = mapped_column(default=False)
    state: Mapped[str] = mapped_column(String(16), default=PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    claimed_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    # host:pid of the sender holding the claim: a claim of a process that died here is taken over at once.
    claimed_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    last_error: Mapped[str | None] = mapped_column(String(500), nullable=True)
