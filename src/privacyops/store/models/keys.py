"""Store keys: the key-encryption keys that wrap the data key of every sealed value (see store.sealing)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from privacyops.store.base import Base
from privacyops.store.models.types import UtcDateTime, utcnow

ACTIVE = "active"  # new values are sealed under it (one at a time)
RETIRING = "retiring"  # a rotation away from it is under way: still opens values, seals none
RETIRED = "retired"  # its salt is deleted: what it wrapped can no longer be opened


class StoreKey(Base):
    """One store key: an id written beside each ciphertext and the salt its key is derived with."""

    __tablename__ = "store_keys"

    id: Mapped[str] = mapped_column(String(16), primary_key=True)
    # Random; with the deployment's secret it gives the key. Deleted when the key is retired.
    salt: Mapped[str | None] = mapped_column(String(64), nullable=True)
    state: Mapped[str] = mapped_column(String(16), default=ACTIVE)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    retired_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    # Values moved onto this key by the rotation that created it (progress of a resumable rotation).
    rewrapped: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
