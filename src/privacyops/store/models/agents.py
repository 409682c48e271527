"""Authorised agents: who filed a request on the subject's behalf (INT-6), sealed like other contacts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from privacyops.store.base import Base
from privacyops.store.models.sealed import SealedText
from privacyops.store.models.types import UtcDateTime, utcnow


class RequestAgent(Base):
    """The agent of one request: name, e-mail, and whether they attested to holding signed permission."""

    __tablename__ = "request_agents"

    request_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("subject_requests.id", ondelete="CASCADE"), primary_key=True
    )
    name: Mapped[str] = mapped_column(SealedText("request_agents.name", primary_key="request_id"))
    email: Mapped[str] = mapped_column(SealedText("request_agents.email", primary_key="request_id"))
    attested: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
