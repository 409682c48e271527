"""Customers that send OpenDSR requests: issue a token bound to one project, find the caller by token."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from privacyops.store import tokens
from privacyops.store.models.opendsr import OpendsrClient


def issue_client(
    session: Session, *, name: str, project_id: str, admin_emails: list[str] | None = None
) -> tuple[OpendsrClient, str]:
    """Register a customer for one project; returns the row and its token, shown only now."""
    if not name.strip() or not project_id.strip():
        raise ValueError("a client needs a name and the id of its project")
    token = tokens.new_token()
    row = OpendsrClient(
        name=name.strip(),
        project_id=project_id.strip(),
        token_sha256=tokens.hash_token(token),
        admin_emails=[e.strip().lower() for e in admin_emails or [] if e.strip()],
    )
    session.add(row)
    session.flush()
    return row, token


def find_by_token(session: Session, token: str) -> OpendsrClient | None:
    """Return the active client whose token this is."""
    query = sa.select(OpendsrClient).where(
        OpendsrClient.token_sha256 == tokens.hash_token(token), OpendsrClient.revoked_at.is_(None)
    )
    return session.execute(query).scalar_one_or_none()


def for_projects(session: Session, project_ids: list[str]) -> list[OpendsrClient]:
    """Return the active clients of these projects."""
    if not project_ids:
        return []
    query = sa.select(OpendsrClient).where(
        OpendsrClient.project_id.in_(project_ids), OpendsrClient.revoked_at.is_(None)
    )
    return list(session.execute(query.order_by(OpendsrClient.id)).scalars())


def revoke(session: Session, client_id: int) -> bool:
    """Stop a client's token from working; False if there was no such active client."""
    row = session.get(OpendsrClient, client_id)
    if row is None or row.revoked_at is not None:
        return False
    row.revoked_at = datetime.now(UTC)
    session.flush()
    return True
