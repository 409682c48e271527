"""The ledger of actual disclosures of personal information to third parties (CCPA 1798.110/115)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from privacyops.store.base import Base
from privacyops.store.models.types import UtcDateTime, utcnow

# What happened to the data, in the law's words: sold, shared for cross-context behavioural
# advertising, or disclosed for a business purpose (to a service provider or contractor).
KINDS = ("sale", "share", "business_purpose")


class Disclosure(Base):
    """One disclosure: to whom, of which CCPA letters, when, and who recorded it (no personal data)."""

    __tablename__ = "disclosures"
    __table_args__ = (Index("ix_disclosures_kind_occurred", "kind", "occurred_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(24))
    recipient: Mapped[str] = mapped_column(String(200))
    letters: Mapped[list[str]] = mapped_column(JSON)
    purpose: Mapped[str | None] = mapped_column(String(120), nullable=True)
    occurred_at: Mapped[datetime] = mapped_column(UtcDateTime)
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    recorded_by: Mapped[str] = mapped_column(String(120))
    request_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
