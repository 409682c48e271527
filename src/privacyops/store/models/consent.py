"""Consent as stored: the append-only ledger of receipts, the state derived from it, and marketing contacts.

``consent_receipts`` is a ledger: the database refuses UPDATE and DELETE on it (triggers, see the
migration), so a receipt, once written, is evidence. ``consent_states`` is a cache of the latest receipt
per subject, purpose and scope, written only by :mod:`privacyops.consent.ledger` in the transaction that
appends the receipt. Subjects are keyed hashes of an identity; no identity is kept in either table.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from privacyops.store.base import Base
from privacyops.store.models.sealed import SealedText
from privacyops.store.models.types import UtcDateTime, utcnow


class ConsentReceipt(Base):
    """One recorded choice or fact: a consent given or withdrawn, a browser signal, an attestation, a flag."""

    __tablename__ = "consent_receipts"
    __table_args__ = (Index("ix_consent_receipts_subject_purpose", "subject_key", "purpose", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # Random, shown to the subject and quoted by decisions as the evidence.
    receipt_id: Mapped[str] = mapped_column(String(32), unique=True)
    subject_key: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(20))
    purpose: Mapped[str] = mapped_column(String(100))
    # A part of the purpose, e.g. one mailing list of marketing communications; "" for the whole purpose.
    scope: Mapped[str] = mapped_column(String(100), default="", server_default="")
    granted: Mapped[bool] = mapped_column(Boolean)
    notice_version: Mapped[str] = mapped_column(String(40))
    # SHA-256 of the exact text shown, and of the purpose as the manifest defined it then (re-consent).
    notice_hash: Mapped[str] = mapped_column(String(64))
    purpose_hash: Mapped[str] = mapped_column(String(64))
    text_shown: Mapped[str] = mapped_column(Text)
    method: Mapped[str] = mapped_column(String(40))
    channel: Mapped[str] = mapped_column(String(40))
    regime: Mapped[str | None] = mapped_column(String(40), nullable=True)
    signal: Mapped[str | None] = mapped_column(String(20), nullable=True)
    actor: Mapped[str] = mapped_column(String(200))
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class ConsentState(Base):
    """The latest receipt per subject, purpose and scope: what decisions read (derived, never edited)."""

    __tablename__ = "consent_states"

    subject_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    purpose: Mapped[str] = mapped_column(String(100), primary_key=True)
    scope: Mapped[str] = mapped_column(String(100), primary_key=True, default="")
    kind: Mapped[str] = mapped_column(String(20))
    granted: Mapped[bool] = mapped_column(Boolean)
    receipt_id: Mapped[str] = mapped_column(String(32))
    notice_version: Mapped[str] = mapped_column(String(40))
    purpose_hash: Mapped[str] = mapped_column(String(64))
    method: Mapped[str] = mapped_column(String(40))
    signal: Mapped[str | None] = mapped_column(String(20), nullable=True)
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime)


class ConsentContact(Base):
    """Where a subject's marketing mail goes: needed to build mail and the suppression export; sealed."""

    __tablename__ = "consent_contacts"

    subject_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    value: Mapped[str] = mapped_column(SealedText("consent_contacts.value", primary_key="subject_key"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
