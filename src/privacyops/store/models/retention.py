"""Retention as stored: sweep runs, legal holds, the tombstone ledger and declared backup restores."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from privacyops.store.base import Base
from privacyops.store.models.sealed import SealedJSON
from privacyops.store.models.types import UtcDateTime, utcnow


class RetentionRun(Base):
    """One sweep of one rule: rows per table, errors, duration, and the lease of the process running it."""

    __tablename__ = "retention_runs"
    __table_args__ = (Index("ix_retention_runs_rule_status", "rule", "status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    rule: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20))  # running | done | failed | interrupted
    dry_run: Mapped[bool] = mapped_column(default=False)
    # The moment the period was counted back from: a resumed run keeps its predecessor's.
    cutoff: Mapped[datetime] = mapped_column(UtcDateTime)
    rows: Mapped[dict[str, Any]] = mapped_column(JSON)  # table -> rows affected (or due, for a dry run)
    held: Mapped[dict[str, Any]] = mapped_column(JSON)  # table or "subjects" -> rows/people kept by a hold
    report: Mapped[dict[str, Any]] = mapped_column(JSON)  # dry run: table -> {count, oldest}
    errors: Mapped[list[str]] = mapped_column(JSON)
    resumed_from: Mapped[int | None] = mapped_column(Integer, nullable=True)
    owner: Mapped[str | None] = mapped_column(String(200), nullable=True)
    lease_until: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    started_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    seconds: Mapped[float] = mapped_column(default=0.0)


class RetentionHold(Base):
    """A legal hold on a subject (keyed identity hash), a data category or a table, with reason and expiry."""

    __tablename__ = "retention_holds"
    __table_args__ = (Index("ix_retention_holds_scope", "scope", "target", "released_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scope: Mapped[str] = mapped_column(String(20))  # subject | category | table
    # subject: keyed hash of the identity value; category: its key; table: system.table
    target: Mapped[str] = mapped_column(String(300))
    identity_kind: Mapped[str | None] = mapped_column(String(40), nullable=True)
    reason_code: Mapped[str] = mapped_column(String(100))
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    request_id: Mapped[str | None] = mapped_column(String(32), nullable=True, index=True)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    released_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    released_by: Mapped[str | None] = mapped_column(String(200), nullable=True)


class Tombstone(Base):
    """Rows an erasure or a sweep removed or changed, kept apart from the data to replay after a restore."""

    __tablename__ = "retention_tombstones"
    __table_args__ = (Index("ix_retention_tombstones_created", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    source: Mapped[str] = mapped_column(String(20))  # erasure | retention
    ref: Mapped[str] = mapped_column(String(64))  # the request id or the run id
    system: Mapped[str] = mapped_column(String(200))
    table_name: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(20))  # delete | update
    key_columns: Mapped[list[str]] = mapped_column(JSON)
    # Primary keys of the rows (they may be identifiers of people): sealed at rest.
    keys: Mapped[list[Any]] = mapped_column(SealedJSON("retention_tombstones.keys"))
    changes: Mapped[dict[str, str]] = mapped_column(JSON)  # column -> null | pseudonymise | redact
    identity_hashes: Mapped[list[str]] = mapped_column(JSON)


class BackupRestore(Base):
    """A restore of a connected system from a backup, declared by an operator; open until replayed."""

    __tablename__ = "retention_restores"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    system: Mapped[str] = mapped_column(String(200))
    backup_taken_at: Mapped[datetime] = mapped_column(UtcDateTime)
    declared_by: Mapped[str] = mapped_column(String(200))
    declared_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    replayed_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    replayed_rows: Mapped[int] = mapped_column(Integer, default=0)
