"""``INSERT ... ON CONFLICT``, which SQLite and PostgreSQL both have, under one name."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session


def insert_for(session: Session) -> Any:
    """Return the ``insert`` of the session's dialect, whose statements take ``on_conflict_do_*``."""
    return postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
