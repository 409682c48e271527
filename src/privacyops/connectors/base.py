"""The connector Protocol and the plain values that travel through it."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

Row = dict[str, Any]
Key = tuple[Any, ...]

# What a connector can do; the engine checks these before it relies on them (ER-6).
READ = "read"
UPDATE = "update"
DELETE = "delete"
JSON_PATHS = "json_paths"
ALL_CAPABILITIES = frozenset({READ, UPDATE, DELETE, JSON_PATHS})


def split_locator(locator: str) -> tuple[str, tuple[str, ...]]:
    """Split `column` or `column->a.b` into the column and the JSON path inside it."""
    column, _, path = locator.partition("->")
    steps = tuple(step.strip() for step in path.split(".") if step.strip())
    return column.strip(), steps


def read_locator(row: Mapping[str, Any], locator: str) -> Any:
    """Read `column` or `column->a.b` (JSON text or a dict) from a row; None where absent."""
    column, path = split_locator(locator)
    value = row.get(column)
    if not path:
        return value
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return None
    for step in path:
        if not isinstance(value, dict):
            return None
        value = value.get(step)
    return value


@dataclass(frozen=True)
class Match:
    """Rows whose `fields` (columns, or `column->json.path`) equal one of the `values` tuples."""

    fields: tuple[str, ...]
    values: tuple[Key, ...]

    @classmethod
    def of(cls, field_name: str, values: Sequence[Any]) -> Match:
        """Match one field against plain values."""
        return cls((field_name,), tuple((v,) for v in values))

    def columns(self) -> tuple[str, ...]:
        """Return the columns named, without JSON paths."""
        return tuple(split_locator(f)[0] for f in self.fields)


@dataclass(frozen=True)
class SetNull:
    """Set the column to NULL."""


@dataclass(frozen=True)
class ReplaceText:
    """Replace each exact substring in `needles` by `replacement` (redaction of free text)."""

    needles: tuple[str, ...]
    replacement: str = "[redacted]"


@dataclass(frozen=True)
class MapValues:
    """Replace each old value by its new value (pseudonyms computed by the engine)."""

    mapping: tuple[tuple[Any, Any], ...]


Change = SetNull | ReplaceText | MapValues


def apply_change(value: Any, change: Change) -> Any:
    """Return ``value`` after ``change``, for connectors that compute new values in Python."""
    if isinstance(change, SetNull):
        return None
    if isinstance(change, ReplaceText):
        if not isinstance(value, str):
            return value
        for needle in change.needles:
            value = value.replace(needle, change.replacement)
        return value
    if isinstance(change, MapValues):
        return dict(change.mapping).get(value, value)
    raise ConnectorError(f"unknown change {change!r}")


@dataclass(frozen=True)
class ColumnShape:
    """A column as the data store has it."""

    name: str
    nullable: bool = True


@dataclass(frozen=True)
class TableShape:
    """A table as the data store has it: columns and the column lists that lead an index."""

    name: str
    columns: Mapping[str, ColumnShape]
    indexes: tuple[tuple[str, ...], ...] = field(default=())

    def is_indexed(self, columns: Sequence[str]) -> bool:
        """Return whether some index (or the primary key) starts with these columns."""
        wanted = tuple(columns)
        return any(index[: len(wanted)] == wanted for index in self.indexes)


class ConnectorError(Exception):
    """The data store refused or failed an operation."""


class ConnectorTimeout(ConnectorError):
    """The data store did not answer in time (connect, statement or call timeout); trying later may work.

    The message always holds ``TIMED_OUT``: the engine turns connector errors into step reasons, and the
    step runner reads the reason to retry a step that timed out instead of failing it at once.
    """


TIMED_OUT = "timed out"


@runtime_checkable
class Connector(Protocol):
    """A place holding personal data, addressed with table names, column names and plain values."""

    def capabilities(self) -> frozenset[str]:
        """Return what this connector can do (READ, UPDATE, DELETE, JSON_PATHS)."""
        ...

    def inspect(self, table: str) -> TableShape | None:
        """Return the table's columns and indexes, or None if the table does not exist."""
        ...

    def find(self, table: str, match: Match, fields: Sequence[str]) -> list[Row]:
        """Return `fields` of every row that matches, in one set-based query per batch."""
        ...

    def count(self, table: str, match: Match) -> int:
        """Return how many rows match."""
        ...

    def update(self, table: str, match: Match, changes: Mapping[str, Change]) -> int:
        """Apply `changes` to every matching row in one transaction; return the rows touched."""
        ...

    def delete(self, table: str, match: Match) -> int:
        """Delete every matching row in one transaction; return the rows deleted."""
        ...
