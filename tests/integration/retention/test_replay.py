"""Erasure replay after a backup restore (ER-3): a real copy taken before the erasures comes back clean.

SQLite copies with its online backup API; PostgreSQL with ``CREATE DATABASE ... TEMPLATE``.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from privacyops.demo import truth
from privacyops.execution import runner
from privacyops.retention import sweep, tombstones
from privacyops.retention.health import REPLAY_PENDING, restore_state

from .conftest import TERMINATED, Setup
from .support import email_of, left

ERASED = {"email": "subject1@example.com"}  # the demo's user u_1


def _sqlite_file(url: str) -> str:
    return sa.engine.make_url(url).database or ""


def _pg_copy(admin_url: str, source: str, target: str) -> None:
    engine = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)')
        conn.exec_driver_sql(f'CREATE DATABASE "{target}" TEMPLATE "{source}"')
    engine.dispose()


def backup(setup: Setup, db_kind: str, request: pytest.FixtureRequest) -> Callable[[], None]:
    """Copy the demo database now; return the function that restores the copy over it."""
    setup.env.connectors["app_db"].engine.dispose()  # type: ignore[attr-defined]
    if db_kind == "sqlite":
        live = _sqlite_file(setup.demo_url)
        copy = live + ".backup"
        with sqlite3.connect(live) as source, sqlite3.connect(copy) as target:
            source.backup(target)

        def restore_sqlite() -> None:
            setup.env.connectors["app_db"].engine.dispose()  # type: ignore[attr-defined]
            with sqlite3.connect(copy) as source, sqlite3.connect(live) as target:
                source.backup(target)

        return restore_sqlite
    admin = request.getfixturevalue("pg_admin_url")
    live_name = sa.engine.make_url(setup.demo_url).database or ""
    copy_name = f"{live_name}_backup"
    _pg_copy(admin, live_name, copy_name)
    request.addfinalizer(lambda: _drop(admin, copy_name))

    def restore_pg() -> None:
        setup.env.connectors["app_db"].engine.dispose()  # type: ignore[attr-defined]
        _pg_copy(admin, copy_name, live_name)

    return restore_pg


def _drop(admin_url: str, name: str) -> None:
    engine = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    engine.dispose()


@pytest.mark.req("ER-3")
def test_a_copy_restored_after_an_erasure_and_a_sweep_loses_both_people_again_by_the_replay(
    setup: Setup, db_kind: str, request: pytest.FixtureRequest
) -> None:
    swept = truth.ground_truth(setup.demo_url, TERMINATED)
    swept_email = email_of(setup.demo_url, TERMINATED)
    taken_at = datetime.now(UTC)
    restore = backup(setup, db_kind, request)

    request_id = setup.submit("erasure", ERASED)
    with setup.sessions.begin() as session:
        runner.start(session, setup.env, request_id, actor="test")
    assert runner.run_request(setup.sessions, setup.env, request_id).status in ("waiting", "completed")
    (rule,) = sweep.sweep_rules(setup.env)
    assert sweep.run_rule(setup.env, setup.sessions, rule).status == "done"
    erased_left = truth.identity_matches(setup.demo_url, [ERASED["email"]])
    assert set(erased_left) <= {"billing_customers"}  # kept under the manifest's tax hold

    restore()
    assert truth.identity_matches(setup.demo_url, [ERASED["email"]]).keys() > erased_left.keys()
    assert left(setup.demo_url, swept) == {t: len(ids) for t, ids in swept.items() if ids}
    with setup.sessions.begin() as session:
        tombstones.declare_restore(session, system="app_db", backup_taken_at=taken_at, actor="test")
    with setup.sessions() as session:
        assert restore_state(session) == REPLAY_PENDING

    done = tombstones.replay(setup.sessions, setup.env.connectors, setup.env.pseudonym_key(), taken_at)
    assert done["app_db.users"] == 2 and done["app_db.traces"] > len(swept["traces"])
    assert truth.identity_matches(setup.demo_url, [ERASED["email"]]) == erased_left
    assert truth.identity_matches(setup.demo_url, [swept_email]) == {}
    assert left(setup.demo_url, swept) == {"audit_logs": len(swept["audit_logs"])}
    with setup.sessions() as session:
        assert restore_state(session) == "ok"
