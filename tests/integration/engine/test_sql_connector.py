"""The SQL connector on a real database: batched IN lists, JSON paths, composite keys, shapes and errors."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from privacyops.connectors.base import ConnectorError, MapValues, Match, ReplaceText, SetNull
from privacyops.connectors.sql import SqlConnector

meta = sa.MetaData()
people = sa.Table("people", meta, sa.Column("id", sa.Text, primary_key=True),
                  sa.Column("email", sa.Text, nullable=False), sa.Column("bio", sa.Text),
                  sa.Column("doc", sa.Text))
lines = sa.Table("lines", meta, sa.Column("order_id", sa.Text, primary_key=True),
                 sa.Column("line_no", sa.Integer, primary_key=True), sa.Column("note", sa.Text))
sa.Index("ix_people_email", people.c.email)


@pytest.fixture
def connector(db_url: str) -> Iterator[SqlConnector]:
    engine = sa.create_engine(db_url)
    meta.create_all(engine)
    with engine.begin() as conn:
        conn.execute(people.insert(), [
            {"id": f"p{i}", "email": f"p{i}@example.com", "bio": f"I am p{i}@example.com",
             "doc": json.dumps({"user": {"email": f"p{i}@example.com"}, "n": i})} for i in range(7)])
        conn.execute(lines.insert(), [{"order_id": f"o{i % 3}", "line_no": i, "note": "n"} for i in range(9)])
    engine.dispose()
    sql = SqlConnector(db_url, batch_size=2)
    yield sql
    sql.close()


def test_find_batches_the_in_list(connector: SqlConnector) -> None:
    wanted = [f"p{i}" for i in (0, 2, 3, 5, 6)]
    rows = connector.find("people", Match.of("id", wanted), ["id", "email"])
    assert sorted(r["id"] for r in rows) == wanted
    assert connector.count("people", Match.of("id", [*wanted, "nobody"])) == 5


def test_find_inside_json_text(connector: SqlConnector) -> None:
    rows = connector.find("people", Match.of("doc->user.email", ["p4@example.com", "p1@example.com"]), ["id"])
    assert sorted(r["id"] for r in rows) == ["p1", "p4"]


def test_composite_keys(connector: SqlConnector) -> None:
    match = Match(("order_id", "line_no"), (("o0", 0), ("o1", 4), ("o2", 2), ("o0", 1)))
    assert connector.count("lines", match) == 3
    assert connector.delete("lines", match) == 3
    assert connector.count("lines", Match.of("order_id", ["o0", "o1", "o2"])) == 6


def test_update_changes(connector: SqlConnector) -> None:
    match = Match.of("id", ["p1", "p2", "p3"])
    touched = connector.update("people", match, {
        "bio": ReplaceText(("p1@example.com", "p2@example.com")),
        "doc": SetNull(),
        "email": MapValues((("p1@example.com", "x1"), ("p3@example.com", "x3"))),
    })
    assert touched == 3
    rows = {r["id"]: r for r in connector.find("people", Match.of("id", ["p1", "p2", "p3", "p4"]),
                                                ["id", "email", "bio", "doc"])}
    assert rows["p1"]["bio"] == "I am [redacted]" and rows["p1"]["email"] == "x1"
    assert rows["p2"]["email"] == "p2@example.com" and rows["p2"]["doc"] is None
    assert rows["p3"]["email"] == "x3" and rows["p3"]["bio"] == "I am p3@example.com"
    assert rows["p4"]["doc"] is not None


def test_update_is_all_or_nothing(connector: SqlConnector) -> None:
    # The first batch (p1, p2) succeeds, the second (p3) breaks NOT NULL: the first is rolled back too.
    changes = {"bio": SetNull(), "email": MapValues((("p3@example.com", None),))}
    with pytest.raises(ConnectorError) as caught:
        connector.update("people", Match.of("id", ["p1", "p2", "p3"]), changes)
    assert "update on people failed" in str(caught.value)
    assert "@example.com" not in str(caught.value)
    rows = connector.find("people", Match.of("id", ["p1", "p2", "p3"]), ["bio"])
    assert all(r["bio"] is not None for r in rows) and len(rows) == 3


def test_inspect_reports_columns_and_indexes(connector: SqlConnector) -> None:
    shape = connector.inspect("people")
    assert shape is not None
    assert shape.columns["bio"].nullable and not shape.columns["email"].nullable
    assert shape.is_indexed(["email"]) and shape.is_indexed(["id"]) and not shape.is_indexed(["bio"])
    lines_shape = connector.inspect("lines")
    assert lines_shape is not None and lines_shape.is_indexed(["order_id", "line_no"])
    assert connector.inspect("nowhere") is None


def test_unknown_table_and_column_are_named(connector: SqlConnector) -> None:
    with pytest.raises(ConnectorError, match="table nowhere does not exist"):
        connector.find("nowhere", Match.of("id", ["x"]), ["id"])
    with pytest.raises(ConnectorError, match="no column 'phone'"):
        connector.find("people", Match.of("id", ["p1"]), ["phone"])
