"""Execution of a request as stored: the run, its steps, recipient tasks and restrictions of processing."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from privacyops.store.base import Base
from privacyops.store.models.types import UtcDateTime, utcnow


class ExecutionRun(Base):
    """The work of one request: its kind, overall status, what it found and what it proved."""

    __tablename__ = "execution_runs"

    request_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("subject_requests.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(20), index=True)
    # Inputs fixed at start (e.g. corrections); plain values, no ORM objects.
    params: Mapped[dict[str, Any]] = mapped_column(JSON)
    # Identities and finder keys found by the first collection: personal data, cleared when the run closes.
    subject: Mapped[dict[str, Any]] = mapped_column(JSON)
    # Evidence, held rows and reasons: kept with the request as the proof of what was done.
    outcome: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)


class ExecutionStep(Base):
    """One named step of a run, with its state, attempts and the lease of the worker running it."""

    __tablename__ = "execution_steps"
    __table_args__ = (UniqueConstraint("request_id", "number"), Index("ix_execution_steps_state", "state"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("execution_runs.request_id", ondelete="CASCADE")
    )
    number: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))
    operation: Mapped[str] = mapped_column(String(40))
    target: Mapped[str | None] = mapped_column(String(200), nullable=True)
    state: Mapped[str] = mapped_column(String(20))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    rows: Mapped[int] = mapped_column(Integer, default=0)
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    owner: Mapped[str | None] = mapped_column(String(200), nullable=True)
    started_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    lease_until: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class RecipientTask(Base):
    """A recipient (subprocessor) told to erase, correct or restrict the subject's data (ER-1, PC-3, RR-1)."""

    __tablename__ = "recipient_tasks"
    __table_args__ = (UniqueConstraint("request_id", "recipient", "service"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("subject_requests.id", ondelete="CASCADE"), index=True
    )
    recipient: Mapped[str] = mapped_column(String(200))
    service: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(20))
    categories: Mapped[list[str]] = mapped_column(JSON)
    channel: Mapped[str] = mapped_column(String(100))
    state: Mapped[str] = mapped_column(String(20))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    evidence: Mapped[str | None] = mapped_column(Text, nullable=True)
    closed_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)


class ProcessingRestriction(Base):
    """A restriction (Art. 18) or objection (Art. 21) on a subject known by a keyed identity hash."""

    __tablename__ = "processing_restrictions"
    __table_args__ = (Index("ix_processing_restrictions_subject", "subject_hash", "active"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    subject_hash: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(20))  # restriction | objection
    scope: Mapped[str] = mapped_column(String(100))  # a purpose id, or "*" for all processing
    request_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    active: Mapped[bool] = mapped_column(default=True)
    # Compelling legitimate grounds that override an objection (never allowed for direct marketing).
    override_grounds: Mapped[str | None] = mapped_column(Text, nullable=True)
    notice_sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    lifted_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    lifted_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
