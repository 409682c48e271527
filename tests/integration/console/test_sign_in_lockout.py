"""Sign-in throttling on a served console: attempts per name and address, the pause, its audit trail."""

from __future__ import annotations

import logging
import re
import statistics
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa

from privacyops.api.app import create_app
from privacyops.console import lockout, users
from privacyops.requests import throttle
from privacyops.settings import Settings
from privacyops.store import db
from privacyops.store.models import AuditEvent, ConsoleUser
from privacyops.store.models.limits import RateLimitWindow
from tests.integration.conftest import serving

PASSWORD = "lockout-test-password"
NONCE = re.compile(r'name="nonce" value="([^"]+)"')


@dataclass
class Served:
    base: str
    settings: Settings

    def sessions(self) -> sa.orm.sessionmaker[sa.orm.Session]:
        return db.session_factory(db.engine_for(self.settings))


@pytest.fixture
def served(db_url: str, tmp_path: Path) -> Iterator[Served]:
    db.upgrade(db_url)
    settings = Settings(
        database_url=db_url,
        home=tmp_path / "home",
        secret_key="lockout-test-secret-0123456789abcdef",
        worker_in_process=False,
        queue_url="memory://",
        console_sign_in_attempts=3,
    )
    with db.session_factory(db.engine_for(settings))() as session:
        for name in ("alice", "bob"):
            users.add(session, username=name, password=PASSWORD, role="reviewer", actor="test")
        session.commit()
    with serving(create_app(settings)) as base:
        yield Served(base, settings)


def _try(client: httpx.Client, username: str, password: str) -> httpx.Response:
    form = client.get("/admin/sign-in")
    nonce = NONCE.search(form.text)
    assert nonce is not None
    return client.post(
        "/admin/sign-in", data={"username": username, "password": password, "nonce": nonce.group(1)}
    )


def test_a_name_pauses_after_its_attempts_whether_it_exists_or_not(
    served: Served, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    answers: dict[str, list[httpx.Response]] = {"alice": [], "nobody": []}
    with httpx.Client(base_url=served.base, timeout=30) as client:
        for name in answers:
            answers[name] = [_try(client, name, "wrong password 1") for _ in range(3)]
        for name in answers:
            codes = [answer.status_code for answer in answers[name]]
            assert codes == [401, 401, 429], name  # the third wrong one starts the pause
            assert "paused after too many attempts" in answers[name][2].text
            assert re.search(r"Try again in (1[5-9]|2\d|30) minutes", answers[name][2].text)
        # The right password waits too, and the answer is the same for a name nobody has.
        right = _try(client, "alice", PASSWORD)
        unknown = _try(client, "nobody", PASSWORD)
        assert right.status_code == unknown.status_code == 429
        assert int(right.headers["Retry-After"]) > 15 * 60 - 5
        assert "po_console" not in client.cookies
    with served.sessions()() as session:
        alice = session.scalars(sa.select(ConsoleUser).where(ConsoleUser.username == "alice")).one()
        paused = session.scalars(
            sa.select(AuditEvent).where(AuditEvent.action == lockout.LOCKED_ACTION).order_by(AuditEvent.id)
        ).all()
        buckets = session.scalars(sa.select(RateLimitWindow.bucket)).all()
    assert [(event.entity, event.entity_id) for event in paused] == [
        ("console_user", str(alice.id)),
        ("console_sign_in", "name"),  # a name without a user: the event names no one
    ]
    assert all(event.data == {"scope": "name", "attempts": 3, "minutes_at_least": 15} for event in paused)
    stored = " ".join(buckets) + " ".join(str(event.data) for event in paused)
    assert "alice" not in stored and "nobody" not in stored and "127.0.0.1" not in stored
    logged = caplog.text
    assert "console sign-in paused" in logged
    assert "alice" not in logged and "nobody" not in logged and "wrong password" not in logged


def test_signing_in_takes_the_attempts_back(served: Served) -> None:
    with httpx.Client(base_url=served.base, timeout=30) as client:
        assert [_try(client, "bob", "wrong password 1").status_code for _ in range(2)] == [401, 401]
        assert _try(client, "bob", PASSWORD).status_code == 303
        client.cookies.clear()
        assert [_try(client, "bob", "wrong password 2").status_code for _ in range(2)] == [401, 401]
        assert _try(client, "bob", PASSWORD).status_code == 303


def test_the_pause_lasts_a_window_at_least_and_addresses_count_too(served: Served) -> None:
    policy = lockout.Policy(per_name=2, per_address=3, window_seconds=600)
    key = b"k" * 32
    start = datetime(2026, 12, 7, 10, 9, 0, tzinfo=UTC)  # a minute before a window ends

    def attempt(name: str, at: datetime, address: str = "192.0.2.7") -> lockout.Attempt:
        return lockout.count(served.sessions(), policy, key, username=name, address=address, now=at)

    first, second = attempt("carol", start), attempt("carol", start)
    assert not first.paused and not first.reached
    assert second.reached == ("name",) and second.pause_after == 60 + 600
    # From another address too, and through the next window: at least the window's length in all.
    assert attempt("carol", start + timedelta(minutes=2), "192.0.2.8").paused_for == 9 * 60
    assert not attempt("carol", start + timedelta(minutes=11)).paused  # and then no longer
    # An address reaching its limit with several names pauses every name from it.
    later = start + timedelta(hours=1)
    assert [attempt(name, later, "198.51.100.9").reached for name in ("d1", "d2", "d3")] == [
        (),
        (),
        ("address",),
    ]
    assert attempt("d4", later, "198.51.100.9").paused
    assert not attempt("d4", later, "198.51.100.10").paused
    # The purge keeps a window the pause looks back at, though the hourly request limits ended it.
    kept = attempt("e1", datetime(2026, 12, 7, 10, 55, tzinfo=UTC), "203.0.113.1")
    limits = throttle.Limits.from_settings(served.settings)
    throttle.purge(served.sessions(), limits, now=datetime(2026, 12, 7, 11, 5, tzinfo=UTC))
    with served.sessions()() as session:
        left = set(session.scalars(sa.select(RateLimitWindow.bucket)))
    assert kept.name_bucket in left and first.name_bucket not in left


def test_a_wrong_name_costs_as_long_as_a_wrong_password(served: Served) -> None:
    with served.sessions()() as session:

        def timed(name: str) -> float:
            began = time.perf_counter()
            assert users.authenticate(session, name, "wrong password 3") is None
            return time.perf_counter() - began

        known = statistics.median(timed("alice") for _ in range(5))
        unknown = statistics.median(timed("nobody-at-all") for _ in range(5))
    assert 0.5 < unknown / known < 2  # both verify an argon2 hash; neither answers early
