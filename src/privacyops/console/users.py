"""Console users: add, list, disable, check a password; every change is an audit event.

Passwords are kept as argon2id hashes (``argon2-cffi`` defaults, RFC 9106's low-memory profile). A
user name is a short handle, never an email address: it is written into the audit chain as the actor.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.orm import Session

from privacyops.audit import chain
from privacyops.field_errors import FieldError
from privacyops.store.models.console import ConsoleUser

ROLES = ("viewer", "reviewer", "admin")
USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{1,63}")
MIN_PASSWORD = 12
_hasher = PasswordHasher()
# Checked when the user name is unknown, so that a wrong name costs as long as a wrong password.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


class UserRuleError(FieldError):
    """A console user could not be added or changed; ``field`` names what to fix."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message, field=field)


@dataclass(frozen=True)
class Staff:
    """A signed-in console user as the pages see them."""

    user_id: int
    username: str
    role: str
    csrf_token: str = ""

    @property
    def actor(self) -> str:
        """The name this person acts under in the audit chain and request history."""
        return actor_name(self.username)


def actor_name(username: str) -> str:
    """Return the audit actor of a console user (distinct from API token names)."""
    return f"console:{username}"


def check_username(username: str) -> str:
    """Return the user name if it is a valid handle, else raise naming the rule."""
    if not USERNAME.fullmatch(username):
        raise UserRuleError(
            "username",
            "use 2-64 lowercase letters, digits, '.', '_' or '-' (a handle such as 'alice', not an email "
            "address: it is written into the audit log)",
        )
    return username


def check_role(role: str) -> str:
    """Return the role if known, else raise naming the choices."""
    if role not in ROLES:
        raise UserRuleError("role", f"role {role!r} is not one of {', '.join(ROLES)}")
    return role


def check_password(password: str) -> str:
    """Return the password if long enough, else raise saying how long it must be."""
    if len(password) < MIN_PASSWORD:
        raise UserRuleError("password", f"use at least {MIN_PASSWORD} characters")
    return password


def hash_password(password: str) -> str:
    """Return the argon2id hash of ``password``."""
    return _hasher.hash(password)


def new_password() -> str:
    """Return a random password fit to print once."""
    return secrets.token_urlsafe(15)


def find(session: Session, username: str) -> ConsoleUser | None:
    """Return the user with that name, disabled or not."""
    return session.execute(
        sa.select(ConsoleUser).where(ConsoleUser.username == username)
    ).scalar_one_or_none()


def add(session: Session, *, username: str, password: str, role: str, actor: str) -> ConsoleUser:
    """Create a console user (the caller commits)."""
    check_username(username)
    check_role(role)
    check_password(password)
    if find(session, username) is not None:
        raise UserRuleError("username", f"a console user named {username!r} exists; choose another name")
    user = ConsoleUser(username=username, password_hash=hash_password(password), role=role)
    session.add(user)
    session.flush()
    chain.append(
        session,
        actor=actor,
        action="console.user_added",
        entity="console_user",
        entity_id=str(user.id),
        data={"username": username, "role": role},
    )
    return user


def set_password(session: Session, user: ConsoleUser, password: str, *, actor: str) -> None:
    """Replace a user's password and enable the account again (the caller commits)."""
    check_password(password)
    user.password_hash = hash_password(password)
    user.disabled_at = None
    chain.append(
        session,
        actor=actor,
        action="console.password_set",
        entity="console_user",
        entity_id=str(user.id),
        data={"username": user.username},
    )


def disable(session: Session, username: str, *, actor: str) -> ConsoleUser:
    """Disable a user and end their sessions (the caller commits)."""
    from privacyops.console import sessions

    user = find(session, username)
    if user is None:
        raise UserRuleError(
            "username", f"no console user named {username!r}; see `privacyops console user list`"
        )
    if user.disabled_at is None:
        user.disabled_at = datetime.now(UTC)
        ended = sessions.end_all(session, user.id)
        chain.append(
            session,
            actor=actor,
            action="console.user_disabled",
            entity="console_user",
            entity_id=str(user.id),
            data={"username": username, "sessions_ended": ended},
        )
    return user


def list_users(session: Session) -> list[ConsoleUser]:
    """Return every console user by name."""
    return list(session.scalars(sa.select(ConsoleUser).order_by(ConsoleUser.username)))


def normalise(username: str) -> str:
    """Return a typed user name as stored: trimmed, lower case."""
    return username.strip().lower()


def authenticate(session: Session, username: str, password: str) -> ConsoleUser | None:
    """Return the active user whose password matches, else None (same cost either way).

    A name without a password (unknown, or a single sign-on user) is checked against a dummy hash, so
    the time taken does not tell which names exist.
    """
    user = find(session, normalise(username))
    try:
        _hasher.verify(user.password_hash if user and user.password_hash else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return None
    if user is None or not user.password_hash or user.disabled_at is not None:
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user
