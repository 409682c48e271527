"""Connector types by name: the built-ins plus the `privacyops.connectors` entry-point group."""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from importlib import metadata
from typing import Any, Protocol, cast

from privacyops.connectors.base import Connector

ENTRY_POINT_GROUP = "privacyops.connectors"
BUILT_INS: dict[str, str] = {
    "sql": "privacyops.connectors.sql:SqlConnector",
    "memory": "privacyops.connectors.memory:MemoryConnector",
    "http": "privacyops.connectors.http:HttpConnector",
    "manual": "privacyops.connectors.manual:ManualConnector",
    "clickhouse": "privacyops.connectors.clickhouse:ClickHouseConnector",
}


class ConnectorFactory(Protocol):
    """A connector class: built from an optional URL and plain string settings."""

    def from_settings(self, url: str | None = None, **settings: str) -> Connector: ...


class UnknownConnector(LookupError):
    """No connector of that type is installed."""


def _load(target: str) -> Any:
    module, _, attr = target.partition(":")
    return getattr(importlib.import_module(module), attr)


def available() -> dict[str, str]:
    """Return every connector type name and where its class lives; plugins may not replace built-ins."""
    found = {ep.name: ep.value for ep in metadata.entry_points(group=ENTRY_POINT_GROUP)}
    return {**found, **BUILT_INS}


def get(kind: str) -> ConnectorFactory:
    """Return the connector class registered under `kind`."""
    names = available()
    if kind not in names:
        known = ", ".join(sorted(names))
        raise UnknownConnector(f"no connector type {kind!r} is installed (known: {known}); install the "
                               f"plugin that provides it or fix `connector:` in the manifest")
    return cast(ConnectorFactory, _load(names[kind]))


def create(kind: str, url: str | None = None, settings: Mapping[str, str] | None = None) -> Connector:
    """Build a connector of type `kind` from a URL and plain settings."""
    return get(kind).from_settings(url, **dict(settings or {}))
