"""Discovery scans kept in the store: queued, run as the worker runs them, read back as drift; counts only."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from privacyops import jobs
from privacyops.demo.generate import build_demo
from privacyops.discovery import drift, scans
from privacyops.examples import LANGFUSE_MANIFEST
from privacyops.manifest.load import load_manifest
from privacyops.manifest.schema import Manifest
from privacyops.store import db


@pytest.fixture(scope="module")
def manifest() -> Manifest:
    return load_manifest(LANGFUSE_MANIFEST)


@pytest.fixture
def sessions(db_url: str) -> sessionmaker[Session]:
    db.upgrade(db_url)
    return db.session_factory(db.make_engine(db_url))


def test_a_queued_scan_runs_and_sorts_columns_into_declared_undeclared_and_missing(
    sessions: sessionmaker[Session], manifest: Manifest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    demo_url = f"sqlite:///{tmp_path / 'demo.db'}"
    build_demo(demo_url, users=8, traces=700, seed=5)
    engine = sa.create_engine(demo_url)
    with engine.begin() as conn:  # one undeclared table of addresses, one declared table gone
        conn.execute(sa.text("CREATE TABLE support_notes (id INTEGER PRIMARY KEY, reply_to TEXT)"))
        conn.execute(sa.text("INSERT INTO support_notes (reply_to) VALUES (:a)"),
                     [{"a": f"qxnote{i}@example.org"} for i in range(25)])
        conn.execute(sa.text("DROP TABLE scores"))
    engine.dispose()
    monkeypatch.setenv("APP_DATABASE_URL", demo_url)
    assert "discovery_scan" in jobs.registered_tasks()

    with sessions() as session:
        with pytest.raises(scans.ScanRefused, match="^system: 'nowhere'"):
            scans.start(session, manifest, "nowhere", actor="console:admin")
        queued = scans.start(session, manifest, "app_db", actor="console:admin")
        session.commit()
        scan_id = queued.id
    ran = scans.run(sessions, manifest, scan_id)
    assert ran is not None and ran.status == "done" and ran.finished_at is not None
    assert scans.run(sessions, manifest, scan_id).status == "done"  # a second delivery changes nothing

    with sessions() as session:
        latest = scans.latest(session)["app_db"]
        found = drift.of(latest)
        stored = session.execute(sa.text("SELECT columns FROM discovery_scans")).scalar_one()
        actions = session.execute(sa.text("SELECT action FROM audit_events WHERE entity = 'discovery_scan'"
                                          " ORDER BY id")).scalars().all()
    assert "users.email" in {c.name for c in found.declared}
    undeclared = {c.name: dict(c.found) for c in found.undeclared}
    assert undeclared["support_notes.reply_to"]["EMAIL_ADDRESS"] == 25
    assert {c.name for c in found.not_found} >= {"scores.comment", "scores.name"}
    assert "qxnote" not in str(stored) and "@" not in str(stored)  # counts only, never a value
    assert actions == ["discovery.scan_queued", "discovery.scan_done"]


def test_a_scan_that_cannot_connect_is_kept_as_failed_with_the_kind_of_failure_only(
    sessions: sessionmaker[Session], manifest: Manifest, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("APP_DATABASE_URL", "postgresql+psycopg://scan:secret-word@127.0.0.1:9/app")
    with sessions() as session:
        scan_id = scans.start(session, manifest, "app_db", actor="console:admin").id
        session.commit()
    failed = scans.run(sessions, manifest, scan_id)
    assert failed is not None and failed.status == "failed"
    assert failed.error and "secret-word" not in failed.error and "127.0.0.1" not in failed.error
    monkeypatch.delenv("APP_DATABASE_URL")
    with sessions() as session, pytest.raises(scans.ScanRefused, match="APP_DATABASE_URL is not set"):
        scans.start(session, manifest, "app_db", actor="console:admin")
