from __future__ import annotations

from importlib import metadata

import pytest

from privacyops.connectors import registry
from privacyops.connectors.base import Connector
from privacyops.connectors.memory import MemoryConnector
from privacyops.connectors.sql import SqlConnector


def test_built_ins_are_registered() -> None:
    assert registry.get("sql") is SqlConnector
    assert registry.get("memory") is MemoryConnector
    assert isinstance(registry.create("memory"), Connector)


def test_unknown_type_names_the_known_ones() -> None:
    with pytest.raises(registry.UnknownConnector, match=r"'nosuch'.*known: .*memory, sql"):
        registry.get("nosuch")


def test_plugins_come_from_the_entry_point_group(monkeypatch: pytest.MonkeyPatch) -> None:
    plugin = metadata.EntryPoint(name="fakeplug", value="privacyops.connectors.memory:MemoryConnector",
                                 group=registry.ENTRY_POINT_GROUP)
    shadow = metadata.EntryPoint(name="sql", value="privacyops.connectors.memory:MemoryConnector",
                                 group=registry.ENTRY_POINT_GROUP)

    def entry_points(group: str) -> list[metadata.EntryPoint]:
        return [plugin, shadow] if group == registry.ENTRY_POINT_GROUP else []

    monkeypatch.setattr(registry.metadata, "entry_points", entry_points)
    assert registry.get("fakeplug") is MemoryConnector
    assert registry.get("sql") is SqlConnector  # a plugin cannot replace a built-in


def test_sql_connector_needs_a_url() -> None:
    with pytest.raises(Exception, match="needs a database URL"):
        registry.create("sql")
