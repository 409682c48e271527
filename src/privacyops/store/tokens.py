"""API bearer tokens: issue, look up and revoke; only SHA-256 hashes are stored.

Tokens are 256-bit random strings, so a plain SHA-256 is enough to make the stored value useless to a
reader of the database (a slow password hash would add nothing but latency to every request).
"""

from __future__ import annotations

import hashlib
import os
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import Session

from privacyops import home
from privacyops.settings import Settings
from privacyops.store.models.tokens import ROLES, ApiToken

TOKEN_PREFIX = "po_"
ADMIN_TOKEN_FILE = "admin_token"


class UnknownRole(ValueError):
    """The role must be one of viewer, reviewer or admin."""


@dataclass(frozen=True)
class BootstrapToken:
    """The admin token every installation starts with; ``created`` is true only the first time."""

    token: str
    created: bool
    path: Path | None


def hash_token(token: str) -> str:
    """Return the hex SHA-256 of a token, the only form kept at rest."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    """Return a fresh random bearer token."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def issue_token(session: Session, *, name: str, role: str) -> tuple[ApiToken, str]:
    """Create a token row and return it with the token text, which is shown to the caller only now."""
    if role not in ROLES:
        raise UnknownRole(f"role {role!r} is not one of {', '.join(ROLES)}")
    token = new_token()
    row = ApiToken(name=name, role=role, token_sha256=hash_token(token))
    session.add(row)
    session.flush()
    return row, token


def find_active(session: Session, token: str) -> ApiToken | None:
    """Return the unrevoked token row matching ``token``, if any."""
    return session.execute(
        sa.select(ApiToken).where(ApiToken.token_sha256 == hash_token(token), ApiToken.revoked_at.is_(None))
    ).scalar_one_or_none()


def revoke_token(session: Session, token_id: int) -> bool:
    """Mark a token revoked; returns False if there was no such active token."""
    row = session.get(ApiToken, token_id)
    if row is None or row.revoked_at is not None:
        return False
    row.revoked_at = datetime.now(UTC)
    session.flush()
    return True


def ensure_admin_token(settings: Settings) -> BootstrapToken:
    """Return the bootstrap admin token: from settings, else from the home folder, else a new one.

    A new token is written to ``<home>/admin_token`` with mode 0600 so that only its owner can read it.
    """
    if settings.admin_token:
        return BootstrapToken(settings.admin_token, created=False, path=None)
    path = Path(settings.home) / ADMIN_TOKEN_FILE
    if path.exists():
        return BootstrapToken(path.read_text().strip(), created=False, path=path)
    home.private_folder(path.parent)
    token = new_token()
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        # Another process won the race; its token is the one.
        return BootstrapToken(path.read_text().strip(), created=False, path=path)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(token + "\n")
    return BootstrapToken(token, created=True, path=path)
