"""Counters of the public rate limits, shared by every API process through the store."""

from __future__ import annotations

from sqlalchemy import BigInteger, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from privacyops.store.base import Base


class RateLimitWindow(Base):
    """How many calls one bucket (an action and a hashed client address or identity) made in one window.

    ``window_start`` is in seconds since the epoch, a multiple of the window length; rows of windows
    that have ended are purged. The bucket holds keyed hashes only, never an address or identity.
    """

    __tablename__ = "rate_limit_windows"
    __table_args__ = (Index("ix_rate_limit_windows_window_start", "window_start"),)

    bucket: Mapped[str] = mapped_column(String(120), primary_key=True)
    window_start: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    hits: Mapped[int] = mapped_column(Integer, default=0)
