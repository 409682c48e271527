"""OpenDSR as stored: customers (controllers) with their project, their requests, callbacks, and forwards."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from privacyops.store.base import Base
from privacyops.store.models.sealed import SealedJSON
from privacyops.store.models.types import UtcDateTime, utcnow


class OpendsrClient(Base):
    """A customer that sends OpenDSR requests; its token is bound to one project of the app database."""

    __tablename__ = "opendsr_clients"
    __table_args__ = (UniqueConstraint("token_sha256"), Index("ix_opendsr_clients_project", "project_id"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    project_id: Mapped[str] = mapped_column(String(200))
    token_sha256: Mapped[str] = mapped_column(String(64))
    # Where requests that concern this customer's data are forwarded (PC-1): its admins.
    admin_emails: Mapped[list[str]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)


class OpendsrRequest(Base):
    """One OpenDSR request of a customer; identities are kept only until the request is finished."""

    __tablename__ = "opendsr_requests"
    __table_args__ = (UniqueConstraint("client_id", "subject_request_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_id: Mapped[int] = mapped_column(Integer, ForeignKey("opendsr_clients.id", ondelete="CASCADE"))
    subject_request_id: Mapped[str] = mapped_column(String(36), index=True)
    subject_request_type: Mapped[str] = mapped_column(String(20))
    regulation: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(20))
    api_version: Mapped[str] = mapped_column(String(20))
    submitted_time: Mapped[datetime] = mapped_column(UtcDateTime)
    received_time: Mapped[datetime] = mapped_column(UtcDateTime)
    expected_completion_time: Mapped[datetime] = mapped_column(UtcDateTime)
    controller_due: Mapped[datetime] = mapped_column(UtcDateTime)
    callback_urls: Mapped[list[str]] = mapped_column(JSON)
    # [{identity_type, identity_format, identity_value}]; emptied when the request ends; sealed at rest.
    identities: Mapped[list[dict[str, str]]] = mapped_column(SealedJSON("opendsr_requests.identities"))
    results: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    results_count: Mapped[int | None] = mapped_column(Integer, nullable=True)
    failure: Mapped[str | None] = mapped_column(Text, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)


class OpendsrCallback(Base):
    """One status callback to send: a request's status at a change, to one of its callback URLs."""

    __tablename__ = "opendsr_callbacks"
    __table_args__ = (Index("ix_opendsr_callbacks_state", "state"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("opendsr_requests.id", ondelete="CASCADE"), index=True
    )
    url: Mapped[str] = mapped_column(Text)
    request_status: Mapped[str] = mapped_column(String(20))
    body: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(20), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)


class RequestForward(Base):
    """A subject request passed to the customers who control the data it concerns (PC-1)."""

    __tablename__ = "request_forwards"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("subject_requests.id", ondelete="CASCADE"), unique=True
    )
    forwarded_at: Mapped[datetime] = mapped_column(UtcDateTime)
    project_ids: Mapped[list[str]] = mapped_column(JSON)
    client_ids: Mapped[list[int]] = mapped_column(JSON)
    reason: Mapped[str] = mapped_column(Text)
