"""Sampling a tiny SQLite database: bounded queries, random row ids on big tables, the time limit."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from privacyops.connectors.sql import SqlConnector
from privacyops.manifest.schema import Manifest
from privacyops.pii import discover

from .data import email, phone

BIG = 5000


@pytest.fixture
def engine(tmp_path: Path) -> sa.Engine:
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'tiny.db'}")
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE users (id TEXT PRIMARY KEY, email TEXT, phone VARCHAR(40), "
                             "nickname TEXT, notes TEXT, age INTEGER)")
        conn.exec_driver_sql("CREATE TABLE chats (id INTEGER PRIMARY KEY, body TEXT)")
        conn.execute(sa.text("INSERT INTO users VALUES (:id, :email, :phone, :nick, 'hello', 40)"),
                     [{"id": f"u_{i}", "email": email(i), "phone": phone(i), "nick": f"n{i}"}
                      for i in range(BIG)])
        conn.execute(sa.text("INSERT INTO chats (body) VALUES (:body)"),
                     [{"body": f"question number {i}"} for i in range(30)])
    return engine


def record_selects(engine: sa.Engine) -> list[str]:
    seen: list[str] = []

    @sa.event.listens_for(engine, "before_cursor_execute")
    def _record(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        seen.append(" ".join(statement.split()))

    return seen


def test_big_table_is_sampled_by_random_row_ids(engine: sa.Engine, manifest: Manifest) -> None:
    statements = record_selects(engine)
    report = discover.scan_system(manifest, "app_db", SqlConnector(engine=engine), sample_rows=50)
    users = {c.column: c for c in report.columns if c.table == "users"}
    assert set(users) == {"id", "email", "phone", "nickname", "notes"}  # not the INTEGER column
    assert 0 < users["email"].sampled <= 50
    assert users["email"].matched == users["email"].sampled
    samples = [s for s in statements if "substr" in s.lower()]
    assert len(samples) == 2
    big = next(s for s in samples if "FROM users" in s)
    assert "rowid IN" in big and "LIMIT" in big
    assert report.findings == []


def test_sample_spreads_over_the_whole_table(engine: sa.Engine) -> None:
    sampler = discover.SqlSampler(engine)
    rows = sampler.sample("users", ["id"], 50, 5.0)
    numbers = sorted(int(row[0].removeprefix("u_")) for row in rows)
    assert len(numbers) == 50
    assert numbers[-1] > BIG // 2  # a plain LIMIT would have returned u_0 .. u_49


def test_small_table_is_read_whole(engine: sa.Engine, manifest: Manifest) -> None:
    report = discover.scan_system(manifest, "app_db", SqlConnector(engine=engine), sample_rows=1000)
    body = next(c for c in report.columns if c.column == "body")
    assert body.sampled == 30


def test_untyped_column_is_sampled(engine: sa.Engine, manifest: Manifest) -> None:
    with engine.begin() as conn:
        conn.exec_driver_sql("ALTER TABLE chats ADD COLUMN contact")
        conn.exec_driver_sql("UPDATE chats SET contact = 'reach me at ' || id || '.x@example.org'")
    report = discover.scan_system(manifest, "app_db", SqlConnector(engine=engine))
    assert [(f.level, f.code, f.key) for f in report.findings] == [
        ("error", "undeclared-personal-data", "systems.app_db.tables.chats.fields.contact")]


def test_a_sample_query_that_outruns_the_time_left_is_stopped(engine: sa.Engine) -> None:
    sampler = discover.SqlSampler(engine)
    with pytest.raises(discover.SampleTimeout):
        # Larger than the table, so the whole table is shuffled: long enough to be interrupted.
        sampler.sample("users", ["email", "phone", "notes"], BIG * 10, 0.0)
    assert len(sampler.sample("chats", ["body"], 5, 5.0)) == 5  # the connection still works


def test_timed_out_table_is_reported_not_scanned(engine: sa.Engine, manifest: Manifest,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    real = discover.SqlSampler.sample

    def slow_users(self: discover.SqlSampler, table: str, *args: object) -> object:
        if table == "users":
            raise discover.SampleTimeout(table)
        return real(self, table, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(discover.SqlSampler, "sample", slow_users)
    report = discover.scan_system(manifest, "app_db", SqlConnector(engine=engine))
    assert report.tables_not_scanned == ["users"] and report.tables_scanned == ["chats"]
    assert [f.code for f in report.findings] == ["scan-incomplete"]
