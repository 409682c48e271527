"""The summaries of discovery scans: per column what entity types were found how often, never a value."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Double, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from privacyops.store.base import Base
from privacyops.store.models.types import UtcDateTime, utcnow


class DiscoveryScan(Base):
    """One scan of one system; ``columns`` holds table, column, declared categories and entity counts."""

    __tablename__ = "discovery_scans"
    __table_args__ = (Index("ix_discovery_scans_system_started", "system", "started_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    system: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20))  # running | done | failed
    columns: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    tables_scanned: Mapped[list[str]] = mapped_column(JSON, default=list)
    tables_not_scanned: Mapped[list[str]] = mapped_column(JSON, default=list)
    undeclared_tables: Mapped[list[str]] = mapped_column(JSON, default=list)
    # The kind of failure only: a driver's message can quote a URL or a row.
    error: Mapped[str | None] = mapped_column(String(300), nullable=True)
    started_by: Mapped[str] = mapped_column(String(200))
    started_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    seconds: Mapped[float] = mapped_column(Double, default=0.0)
