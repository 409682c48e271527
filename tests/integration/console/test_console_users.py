"""Console users on the real store: the CLI, argon2 at rest, disabling ends sessions, the demo's admin."""

from __future__ import annotations

import os
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from privacyops.cli import main as cli_main
from privacyops.console import accounts, sessions, users
from privacyops.settings import Settings
from privacyops.store import db
from privacyops.store.models import AuditEvent, ConsoleUser

LIFETIME = sessions.Lifetime(idle=timedelta(minutes=30), absolute=timedelta(hours=8))


@pytest.fixture
def settings(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    db.upgrade(db_url)
    monkeypatch.setenv("PRIVACYOPS_DATABASE_URL", db_url)
    monkeypatch.setenv("PRIVACYOPS_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("PRIVACYOPS_SECRET_KEY", "console-users-secret-0123456789abcdef")
    return Settings(
        database_url=db_url, home=tmp_path / "home", secret_key="console-users-secret-0123456789abcdef"
    )


def _cli(*args: str) -> tuple[int, str]:
    cli_main._register_all()  # as the console script does when it starts (once)
    result = CliRunner().invoke(cli_main.app, list(args))
    return result.exit_code, result.output


def test_add_list_and_disable_from_the_command_line(settings: Settings) -> None:
    code, out = _cli("console", "user", "add", "alice", "--role", "reviewer", "--password", "correct horse 1")
    assert code == 0, out
    code, out = _cli("console", "user", "add", "bob", "--role", "viewer", "--generate")
    assert code == 0 and "password (shown once):" in out
    code, out = _cli("console", "user", "list")
    assert code == 0 and "alice" in out and "reviewer" in out and "never" in out
    engine = db.engine_for(settings)
    with db.session_factory(engine)() as session:
        alice = users.authenticate(session, "alice", "correct horse 1")
        assert alice is not None and alice.password_hash.startswith("$argon2id$")
        assert users.authenticate(session, "alice", "wrong horse 12") is None
        _row, cookie = sessions.start(session, alice, LIFETIME, datetime.now(UTC))
        session.commit()
    code, out = _cli("console", "user", "disable", "alice")
    assert code == 0, out
    with db.session_factory(engine)() as session:
        assert sessions.find_live(session, cookie, LIFETIME, datetime.now(UTC)) is None
        assert users.authenticate(session, "alice", "correct horse 1") is None
        actions = session.scalars(
            sa.select(AuditEvent.action).where(AuditEvent.entity == "console_user").order_by(AuditEvent.id)
        ).all()
    engine.dispose()
    assert actions == ["console.user_added", "console.user_added", "console.user_disabled"]
    code, out = _cli("console", "user", "list")
    assert "disabled" in out


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["ada@example.com", "--password", "long enough pw"], "username: use 2-64 lowercase"),
        (["ada", "--password", "short"], "password: use at least 12"),
        (["ada", "--role", "owner", "--password", "long enough pw"], "role: role 'owner' is not one of"),
    ],
)
def test_wrong_input_names_the_field_and_the_fix(settings: Settings, args: list[str], says: str) -> None:
    code, out = _cli("console", "user", "add", *args)
    assert code == 1 and says in out


def test_sessions_expire_when_idle_and_in_any_case(settings: Settings) -> None:
    engine = db.engine_for(settings)
    now = datetime.now(UTC)
    with db.session_factory(engine)() as session:
        user = users.add(session, username="carol", password="a good password", role="admin", actor="test")
        _row, cookie = sessions.start(session, user, LIFETIME, now)
        session.commit()
        assert sessions.find_live(session, cookie, LIFETIME, now + timedelta(minutes=29)) is not None
        # Each request slides the idle limit, but never past the absolute one.
        later = now + timedelta(minutes=29)
        for _ in range(20):
            later += timedelta(minutes=25)
            if sessions.find_live(session, cookie, LIFETIME, later) is None:
                break
        assert later - now >= timedelta(hours=8) - timedelta(minutes=25)
        assert later - now <= timedelta(hours=8) + timedelta(minutes=25)
        assert sessions.find_live(session, "not-a-cookie", LIFETIME, now) is None
    engine.dispose()


def test_the_demo_admin_keeps_its_printed_password(settings: Settings) -> None:
    name, password, path = accounts.ensure_demo_admin(settings)
    again = accounts.ensure_demo_admin(settings)
    assert again == (name, password, path) and name == "admin"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    engine = db.engine_for(settings)
    with db.session_factory(engine)() as session:
        user = session.scalars(sa.select(ConsoleUser)).one()
        assert user.role == "admin" and password not in user.password_hash
        assert users.authenticate(session, "admin", password) is not None
    engine.dispose()
