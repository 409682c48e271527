"""ClickHouse connector parts that need no server: literals, key columns, and waiting for mutations."""

from __future__ import annotations

from typing import Any

import pytest

from privacyops.connectors.base import Match, SetNull
from privacyops.connectors.clickhouse import (
    ClickHouseConnector,
    MutationFailed,
    MutationUnfinished,
    _key_columns,
    literal,
    quote_name,
)


class ScriptedSession:
    """Answers `count()` with 1 and system.mutations with a scripted list of running mutations."""

    def __init__(self, running: list[list[dict[str, Any]]]) -> None:
        self.running = running
        self.statements: list[str] = []

    def rows(self, sql: str) -> list[dict[str, Any]]:
        if "system.mutations" in sql:
            return self.running.pop(0) if len(self.running) > 1 else self.running[0]
        if "system.tables" in sql:
            return [{"engine": "MergeTree", "sorting_key": "id"}]
        if "system.columns" in sql:
            return [{"name": "id", "type": "String"}]
        return [{"n": 1}]

    def run(self, sql: str) -> None:
        self.statements.append(sql)


@pytest.mark.parametrize(("value", "expected"), [
    (None, "NULL"),
    (True, "true"),
    (42, "42"),
    (1.5, "1.5"),
    ("plain", "'plain'"),
    ("o'neil", "'o\\'neil'"),
    ("back\\slash", "'back\\\\slash'"),
    ("x') OR 1=1 --", "'x\\') OR 1=1 --'"),
    (b"\x00\xff", "unhex('00ff')"),
])
def test_literals_escape_every_value(value: object, expected: str) -> None:
    assert literal(value) == expected


def test_names_are_quoted() -> None:
    assert quote_name("traces") == "`traces`"
    assert quote_name("we`ird") == "`we\\`ird`"


@pytest.mark.parametrize(("sorting_key", "expected"), [
    ("project_id, id", (("project_id", "id"),)),
    ("project_id, toDate(timestamp), id", (("project_id",),)),
    ("toDate(timestamp)", ()),
    ("", ()),
])
def test_sorting_key_columns_serve_as_the_index(sorting_key: str,
                                                expected: tuple[tuple[str, ...], ...]) -> None:
    assert _key_columns(sorting_key) == expected


def test_a_reported_mutation_failure_is_named_without_its_message() -> None:
    reason = "Code: 341. DB::Exception: cannot parse 'ann@example.com'. (UNFINISHED)"
    session = ScriptedSession([[{"mutation_id": "m1", "latest_fail_reason": reason}]])
    connector = ClickHouseConnector(session, delete_mode="mutation", sleep=lambda s: None)
    with pytest.raises(MutationFailed) as raised:
        connector.delete("traces", Match.of("id", ["t1"]))
    assert "code 341 UNFINISHED" in str(raised.value) and "ann@" not in str(raised.value)
    assert session.statements[0].startswith("ALTER TABLE `traces` DELETE WHERE `id` IN ('t1')")


def test_a_mutation_still_running_at_the_deadline_is_named() -> None:
    session = ScriptedSession([[{"mutation_id": "m1", "latest_fail_reason": ""}]])
    waits: list[float] = []
    connector = ClickHouseConnector(session, mutation_timeout=0.0, sleep=waits.append)
    with pytest.raises(MutationUnfinished, match="still running after 0 s"):
        connector.update("traces", Match.of("id", ["t1"]), {"name": SetNull()})
    assert waits == []
    assert session.statements == [
        "ALTER TABLE `traces` UPDATE `name` = NULL WHERE `id` IN ('t1') SETTINGS mutations_sync = 2"]


def test_waiting_backs_off_until_the_mutation_is_done() -> None:
    running = [{"mutation_id": "m1", "latest_fail_reason": ""}]
    session = ScriptedSession([running, running, running, []])
    waits: list[float] = []
    connector = ClickHouseConnector(session, delete_mode="lightweight", sleep=waits.append)
    with pytest.raises(MutationUnfinished, match="still visible"):  # the scripted count never drops
        connector.delete("traces", Match.of("id", ["t1"]))
    assert waits == [0.05, 0.1, 0.2]
    assert session.statements == ["DELETE FROM `traces` WHERE `id` IN ('t1')"]
