"""The store-backed rate-limit counter: atomic under concurrent processes' sessions, per window, purged."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from privacyops.requests import errors, throttle
from privacyops.settings import Settings
from privacyops.store import db, ratelimit
from privacyops.store.models.limits import RateLimitWindow

NOW = datetime(2026, 3, 2, 12, 0, 30, tzinfo=UTC)
KEY = b"rate-limit-test-key-0123456789"


@pytest.fixture
def sessions(db_url: str) -> Iterator[sessionmaker[Session]]:
    db.upgrade(db_url)
    engine = db.make_engine(db_url, sqlite_immediate=True)
    yield db.session_factory(engine)
    engine.dispose()


def test_concurrent_hits_are_all_counted(sessions: sessionmaker[Session], db_url: str) -> None:
    # Each thread has its own engine, as separate API processes would.
    engines = [db.make_engine(db_url, sqlite_immediate=True) for _ in range(4)]
    seen: list[int] = []
    lock = threading.Lock()

    def hammer(engine: sa.Engine) -> None:
        factory = db.session_factory(engine)
        for _ in range(10):
            with factory.begin() as session:
                count = ratelimit.hit(session, "verify:client:abc", now=NOW, window_seconds=60)
            with lock:
                seen.append(count.hits)

    threads = [threading.Thread(target=hammer, args=(engine,)) for engine in engines]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    for engine in engines:
        engine.dispose()
    assert sorted(seen) == list(range(1, 41)), "every call saw its own increment, none was lost"


def test_a_new_window_starts_from_zero_and_old_windows_are_purged(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        assert ratelimit.hit(session, "b", now=NOW, window_seconds=60) == ratelimit.Count(1, 30)
        assert ratelimit.hit(session, "b", now=NOW, window_seconds=60).hits == 2
        later = NOW + timedelta(seconds=45)
        assert ratelimit.hit(session, "b", now=later, window_seconds=60) == ratelimit.Count(1, 45)
    with sessions.begin() as session:
        assert ratelimit.purge(session, now=NOW + timedelta(seconds=45), window_seconds=60) == 1
        rows = session.execute(sa.select(RateLimitWindow.hits)).scalars().all()
    assert rows == [1]


def test_buckets_hold_hashes_only(sessions: sessionmaker[Session]) -> None:
    limits = throttle.Limits.from_settings(Settings(rate_limit_intake_per_address=1))
    caller = throttle.Caller(address="192.0.2.44", subject_key="f" * 64)
    throttle.enforce(sessions, limits, KEY, "intake", caller, now=NOW)
    with pytest.raises(errors.RateLimited) as refused:
        throttle.enforce(sessions, limits, KEY, "intake", caller, now=NOW)
    assert refused.value.field == "client" and refused.value.retry_after == 3600 - 30
    with sessions() as session:
        buckets = session.execute(sa.select(RateLimitWindow.bucket)).scalars().all()
    assert len(buckets) == 2 and not any("192.0.2.44" in bucket for bucket in buckets)
    assert throttle.purge(sessions, limits, now=NOW + timedelta(hours=1)) == 2


def test_zero_turns_a_limit_off(sessions: sessionmaker[Session]) -> None:
    limits = throttle.Limits.from_settings(
        Settings(rate_limit_resend_per_address=0, rate_limit_resend_per_identity=0)
    )
    for _ in range(5):
        throttle.enforce(sessions, limits, KEY, "resend", throttle.Caller(address="192.0.2.1"), now=NOW)
    with sessions() as session:
        assert session.execute(sa.select(sa.func.count()).select_from(RateLimitWindow)).scalar_one() == 0
