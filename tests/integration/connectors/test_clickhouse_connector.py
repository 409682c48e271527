"""The ClickHouse connector on the embedded engine (chdb): set-based reads, mutations checked to the end."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from privacyops.connectors import registry
from privacyops.connectors.base import ConnectorError, MapValues, Match, ReplaceText, SetNull
from privacyops.connectors.clickhouse import ChdbSession, ClickHouseConnector, literal

Db = tuple[ChdbSession, str]


def trace(tid: str, user: str, project: str = "p1", email: str = "", name: str | None = "run") -> str:
    metadata = json.dumps({"user": {"email": email}} if email else {})
    return "(" + ", ".join(literal(v) for v in (tid, user, project, metadata, name)) + ")"


@pytest.fixture
def traces(chdb_database: Db) -> ClickHouseConnector:
    session, db = chdb_database
    session.run(f"CREATE TABLE {db}.traces (id String, user_id String, project_id String, metadata String, "
                "name Nullable(String)) ENGINE = MergeTree ORDER BY (project_id, id)")
    session.run(f"CREATE TABLE {db}.observations (id String, trace_id String, input String) "
                "ENGINE = MergeTree ORDER BY id")
    rows = [trace("t1", "u-ann", email="ann@example.com"), trace("t2", "u-ann"), trace("t3", "u-bob"),
            trace("t4", "u-cy", "p2", email="cy@example.com", name=None), trace("t5", "u-ann", "p2"),
            trace("t6", "o'neil\\x")]
    session.run(f"INSERT INTO {db}.traces VALUES {', '.join(rows)}")
    session.run(f"INSERT INTO {db}.observations VALUES ('o1', 't1', 'hello from ann@example.com'), "
                "('o2', 't3', 'bob was here'), ('o3', 't1', 'ann@example.com again')")
    return ClickHouseConnector(session, database=db, batch_size=2)


def ids(rows: list[dict[str, object]]) -> list[object]:
    return sorted(r["id"] for r in rows)


def all_ids(connector: ClickHouseConnector, table: str = "traces") -> list[object]:
    session, db = connector.session, connector.database
    return sorted(r["id"] for r in session.rows(f"SELECT id FROM {db}.{table}"))


def mutations(connector: ClickHouseConnector, table: str) -> list[str]:
    rows = connector.session.rows("SELECT command, is_done FROM system.mutations WHERE "
                                  f"database = '{connector.database}' AND table = '{table}'")
    assert all(r["is_done"] == 1 for r in rows)
    return [str(r["command"]) for r in rows]


def test_inspect_reads_columns_nullability_and_the_sorting_key(traces: ClickHouseConnector) -> None:
    shape = traces.inspect("traces")
    assert shape is not None
    assert list(shape.columns) == ["id", "user_id", "project_id", "metadata", "name"]
    assert shape.columns["name"].nullable and not shape.columns["user_id"].nullable
    assert shape.is_indexed(["project_id", "id"]) and not shape.is_indexed(["user_id"])
    assert traces.inspect("nope") is None


def test_find_is_set_based_and_batched(traces: ClickHouseConnector) -> None:
    match = Match.of("user_id", ["u-ann", "u-cy", "u-zed"])  # three values, batches of two
    assert ids(traces.find("traces", match, ["id", "user_id"])) == ["t1", "t2", "t4", "t5"]
    assert traces.count("traces", match) == 4


def test_find_looks_inside_json_with_jsonextractstring(traces: ClickHouseConnector) -> None:
    rows = traces.find("traces", Match.of("metadata->user.email", ["ann@example.com"]), ["id", "user_id"])
    assert rows == [{"id": "t1", "user_id": "u-ann"}]


def test_composite_keys_match_as_tuples(traces: ClickHouseConnector) -> None:
    match = Match(("project_id", "id"), (("p2", "t5"), ("p1", "t5"), ("p1", "t3")))
    assert ids(traces.find("traces", match, ["id"])) == ["t3", "t5"]


def test_values_are_literals_never_sql(traces: ClickHouseConnector) -> None:
    assert ids(traces.find("traces", Match.of("user_id", ["o'neil\\x"]), ["id"])) == ["t6"]
    assert traces.count("traces", Match.of("user_id", ["x') OR 1=1 OR ('"])) == 0


def test_erasure_uses_a_lightweight_delete_and_leaves_others_alone(traces: ClickHouseConnector) -> None:
    match = Match.of("user_id", ["u-ann"])
    assert traces.delete("traces", match) == 3
    assert traces.find("traces", match, ["id"]) == []
    assert all_ids(traces) == ["t3", "t4", "t6"]
    assert any("_row_exists" in command for command in mutations(traces, "traces"))
    assert traces.delete("traces", match) == 0


def test_erasure_as_alter_table_delete_is_waited_for(traces: ClickHouseConnector) -> None:
    traces.delete_mode = "mutation"
    assert traces.delete("traces", Match.of("metadata->user.email", ["cy@example.com"])) == 1
    assert all_ids(traces) == ["t1", "t2", "t3", "t5", "t6"]
    commands = mutations(traces, "traces")
    assert [c for c in commands if "DELETE WHERE" in c], commands


def test_updates_null_redact_and_pseudonymise(traces: ClickHouseConnector) -> None:
    assert traces.update("traces", Match.of("user_id", ["u-ann"]),
                         {"name": SetNull(), "user_id": MapValues((("u-ann", "pseud_1"),))}) == 3
    rows = traces.find("traces", Match.of("user_id", ["pseud_1"]), ["id", "name"])
    assert rows and all(r["name"] is None for r in rows) and ids(rows) == ["t1", "t2", "t5"]
    assert traces.count("traces", Match.of("user_id", ["u-ann"])) == 0
    assert traces.find("traces", Match.of("id", ["t3"]), ["name"]) == [{"name": "run"}]
    touched = traces.update("observations", Match.of("trace_id", ["t1"]),
                            {"input": ReplaceText(("ann@example.com",), "[redacted]")})
    assert touched == 2
    texts = sorted(r["input"] for r in traces.find("observations", Match.of("trace_id", ["t1"]), ["input"]))
    assert texts == ["[redacted] again", "hello from [redacted]"]


def test_errors_name_the_table_and_kind_but_never_the_values(traces: ClickHouseConnector) -> None:
    with pytest.raises(ConnectorError) as raised:
        traces.update("traces", Match.of("user_id", ["u-bob"]), {"id": MapValues((("t3", "x"),))})
    message = str(raised.value)
    assert "update on traces failed: ClickHouse code" in message  # a sorting-key column cannot change
    assert "u-bob" not in message and "t3" not in message
    with pytest.raises(ConnectorError, match="read on nope failed: ClickHouse code 60 UNKNOWN_TABLE"):
        traces.find("nope", Match.of("id", ["secret-value"]), ["id"])


def test_the_registry_builds_an_embedded_connector(chdb_path: Path, traces: ClickHouseConnector) -> None:
    connector = registry.create("clickhouse", f"chdb:{chdb_path}", {"database": str(traces.database)})
    assert connector.count("traces", Match.of("user_id", ["u-bob"])) == 1
    with pytest.raises(ConnectorError, match="delete_mode"):
        registry.create("clickhouse", f"chdb:{chdb_path}", {"delete_mode": "fast"})
    with pytest.raises(ConnectorError, match="needs a URL"):
        registry.create("clickhouse", None, {})
