"""Console accounts from the command line and the demo: one transaction per change."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from privacyops.console import users
from privacyops.settings import Settings
from privacyops.store import db

CLI_ACTOR = "cli"
DEMO_ADMIN = "admin"
DEMO_PASSWORD_FILE = "console_admin_password"


@dataclass(frozen=True)
class Account:
    """A console user as listed: no hash, no secret."""

    username: str
    role: str
    active: bool
    last_sign_in: str
    single_sign_on: bool = False  # signs in through the identity provider, has no password


def add(settings: Settings, username: str, password: str, role: str) -> None:
    """Create a console user in the store the settings name."""
    engine = db.engine_for(settings)
    try:
        with db.session_factory(engine)() as session:
            users.add(session, username=username, password=password, role=role, actor=CLI_ACTOR)
            session.commit()
    finally:
        engine.dispose()


def disable(settings: Settings, username: str) -> None:
    """Disable a console user and end their sessions."""
    engine = db.engine_for(settings)
    try:
        with db.session_factory(engine)() as session:
            users.disable(session, username, actor=CLI_ACTOR)
            session.commit()
    finally:
        engine.dispose()


def listing(settings: Settings) -> list[Account]:
    """Return every console user."""
    engine = db.engine_for(settings)
    try:
        with db.session_factory(engine)() as session:
            return [
                Account(
                    u.username,
                    u.role,
                    u.disabled_at is None,
                    u.last_sign_in_at.isoformat(timespec="seconds") if u.last_sign_in_at else "never",
                    u.sso_subject is not None,
                )
                for u in users.list_users(session)
            ]
    finally:
        engine.dispose()


def ensure_demo_admin(settings: Settings) -> tuple[str, str, Path]:
    """Make the demo's console admin exist with the password kept in the home folder (0600).

    Each run sets the account to that password again, so what the demo prints always works.
    """
    from privacyops import home

    path = Path(settings.home) / DEMO_PASSWORD_FILE
    password = path.read_text().strip() if path.is_file() else ""
    if len(password) < users.MIN_PASSWORD:
        password = users.new_password()
        home.write_private(path, (password + "\n").encode())
    db.upgrade(settings.database_url, secret=db.settings_secret(settings))
    engine = db.engine_for(settings)
    try:
        with db.session_factory(engine)() as session:
            user = users.find(session, DEMO_ADMIN)
            if user is None:
                users.add(session, username=DEMO_ADMIN, password=password, role="admin", actor="demo")
            elif (
                user.role != "admin"
                or user.disabled_at is not None
                or not _matches(user.password_hash, password)
            ):
                user.role = "admin"
                users.set_password(session, user, password, actor="demo")
            session.commit()
    finally:
        engine.dispose()
    return DEMO_ADMIN, password, path


def _matches(password_hash: str, password: str) -> bool:
    from argon2 import PasswordHasher
    from argon2.exceptions import InvalidHashError, VerificationError

    try:
        return PasswordHasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
