"""Subject requests as stored: the request, its identities, its moves and its verification challenges."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from privacyops.store.base import Base
from privacyops.store.models.sealed import SealedJSON, SealedText
from privacyops.store.models.types import UtcDateTime, utcnow


class SubjectRequest(Base):
    """One request of a data subject; ``id`` is random, so it can be shown to the subject."""

    __tablename__ = "subject_requests"
    __table_args__ = (
        Index("ix_subject_requests_subject_type", "subject_key", "request_type"),
        Index("ix_subject_requests_received_at", "received_at"),
        Index("ix_subject_requests_external_ref", "channel", "external_ref"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    request_type: Mapped[str] = mapped_column(String(40))
    state: Mapped[str] = mapped_column(String(40))
    channel: Mapped[str] = mapped_column(String(40))
    regions: Mapped[list[str]] = mapped_column(JSON)
    # Keyed hash of the subject's primary identity: finds open requests of the same person (duplicates).
    subject_key: Mapped[str] = mapped_column(String(64))
    # Where notifications go; personal data kept for the life of the request record only.
    contact_email: Mapped[str | None] = mapped_column(
        SealedText("subject_requests.contact_email"), nullable=True
    )
    details: Mapped[str | None] = mapped_column(SealedText("subject_requests.details"), nullable=True)
    # Rectification: field or category -> the correct value (RR-1); personal data, so sealed too.
    corrections: Mapped[dict[str, str] | None] = mapped_column(
        SealedJSON("subject_requests.corrections"), nullable=True
    )
    external_ref: Mapped[str | None] = mapped_column(String(300), nullable=True)
    via_agent: Mapped[bool] = mapped_column(Boolean, default=False)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    verified_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    acknowledgement_due: Mapped[date | None] = mapped_column(Date, nullable=True)
    response_due: Mapped[date | None] = mapped_column(Date, nullable=True)
    deadlines: Mapped[dict[str, Any]] = mapped_column(JSON)
    extensions: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    flags: Mapped[dict[str, Any]] = mapped_column(JSON)
    response_nature: Mapped[str | None] = mapped_column(String(40), nullable=True)
    denial_code: Mapped[str | None] = mapped_column(String(40), nullable=True)
    denial_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    duplicate_of: Mapped[str | None] = mapped_column(
        String(32), ForeignKey("subject_requests.id", ondelete="SET NULL"), nullable=True
    )
    # Counted over the request's life, not per code: codes are replaced and purged, these are not, so
    # resending cannot reset the number of guesses (PRIVACYOPS_VERIFY_MAX_CODES, _MAX_FAILURES).
    verification_codes_sent: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    verification_failures: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class RequestIdentity(Base):
    """An identifier of the subject (email, user id, phone); ``value_hash`` is what matching uses."""

    __tablename__ = "request_identities"
    __table_args__ = (Index("ix_request_identities_kind_hash", "kind", "value_hash"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("subject_requests.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(40))
    value_hash: Mapped[str] = mapped_column(String(64))
    # The value itself, needed to find the subject's data in connected systems; cleared at purge.
    # Sealed at rest (store.sealing); matching never reads it, it uses ``value_hash``.
    value: Mapped[str | None] = mapped_column(SealedText("request_identities.value"), nullable=True)


class RequestTransition(Base):
    """One move of a request's state machine: who, when, why (also written to the audit chain)."""

    __tablename__ = "request_transitions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("subject_requests.id", ondelete="CASCADE"), index=True
    )
    source: Mapped[str] = mapped_column(String(40))
    target: Mapped[str] = mapped_column(String(40))
    actor: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    audit_event_id: Mapped[int | None] = mapped_column(Integer, nullable=True)


class VerificationChallenge(Base):
    """A one-time code sent to the subject, kept only as a keyed hash and purged after its TTL (INT-7)."""

    __tablename__ = "verification_challenges"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("subject_requests.id", ondelete="CASCADE"), index=True
    )
    code_hash: Mapped[str] = mapped_column(String(64))
    channel: Mapped[str] = mapped_column(String(40))
    issued_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)


class ErasureSuppression(Base):
    """A keyed hash of an erased subject's identity: keeps them erased and unsubscribed (ER-5)."""

    __tablename__ = "erasure_suppressions"
    __table_args__ = (UniqueConstraint("kind", "value_hash"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    value_hash: Mapped[str] = mapped_column(String(64))
    request_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
