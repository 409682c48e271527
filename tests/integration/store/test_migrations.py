from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

import privacyops.store.models  # noqa: F401
from privacyops.store import db
from privacyops.store.base import Base


def test_upgrade_reaches_head_and_models_agree(db_url: str) -> None:
    assert db.current_revision(db_url) is None
    db.upgrade(db_url)
    assert db.current_revision(db_url) == db.head_revision()
    engine = db.make_engine(db_url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            assert compare_metadata(context, Base.metadata) == []
            tables = set(sa.inspect(conn).get_table_names())
    finally:
        engine.dispose()
    assert {"notice_versions", "api_tokens", "audit_events", "audit_head"} <= tables


def test_upgrade_twice_is_harmless(db_url: str) -> None:
    db.upgrade(db_url)
    db.upgrade(db_url)
    assert db.current_revision(db_url) == db.head_revision()


def test_downgrade_to_base_and_back(db_url: str) -> None:
    from alembic import command

    db.upgrade(db_url)
    command.downgrade(db.alembic_config(db_url), "base")
    engine = db.make_engine(db_url)
    try:
        assert not {"audit_events", "api_tokens"} & set(sa.inspect(engine).get_table_names())
    finally:
        engine.dispose()
    db.upgrade(db_url)
    assert db.current_revision(db_url) == db.head_revision()


def test_new_revision_refuses_when_nothing_changed() -> None:
    try:
        written = db.new_revision("nothing to do")
    except db.NothingToMigrate:
        return  # the models and the migrations agree
    # A model changed without its migration: take the file back out of the source tree, show it.
    body = written.read_text(encoding="utf-8")
    written.unlink()
    pytest.fail(f"the models differ from the migrations; write a migration for:\n{body}")


def test_sqlite_engine_settings(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'deep' / 'folder' / 'store.db'}"
    engine = db.make_engine(url)
    try:
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == db.SQLITE_BUSY_TIMEOUT_MS
    finally:
        engine.dispose()
    assert (tmp_path / "deep" / "folder" / "store.db").exists()


def test_bare_postgres_url_uses_psycopg() -> None:
    assert db.normalise_url("postgresql://u@h/d") == "postgresql+psycopg://u@h/d"
    assert db.normalise_url("sqlite:///x.db") == "sqlite:///x.db"
