"""An in-memory connector for tests: tables of dicts, optional foreign keys and NOT NULL columns."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from privacyops.connectors.base import (
    ALL_CAPABILITIES,
    Change,
    ColumnShape,
    ConnectorError,
    Key,
    Match,
    Row,
    TableShape,
    apply_change,
    read_locator,
)


@dataclass(frozen=True)
class ForeignKey:
    """`table.columns` must point at existing `target.target_columns` (checked on delete and update)."""

    table: str
    columns: tuple[str, ...]
    target: str
    target_columns: tuple[str, ...]


class MemoryConnector:
    """A fake data store kept in dicts, with the same contract as the SQL connector."""

    def __init__(
        self,
        tables: Mapping[str, Iterable[Row]] | None = None,
        *,
        not_null: Mapping[str, Iterable[str]] | None = None,
        foreign_keys: Iterable[ForeignKey] = (),
        indexes: Mapping[str, Iterable[tuple[str, ...]]] | None = None,
        capabilities: Iterable[str] = ALL_CAPABILITIES,
    ) -> None:
        self.tables: dict[str, list[Row]] = {
            name: [dict(r) for r in rows] for name, rows in (tables or {}).items()}
        self.not_null = {name: set(cols) for name, cols in (not_null or {}).items()}
        self.foreign_keys = tuple(foreign_keys)
        self.indexes = {name: tuple(ix) for name, ix in (indexes or {}).items()}
        self._capabilities = frozenset(capabilities)
        self.calls: list[tuple[str, str]] = []

    @classmethod
    def from_settings(cls, url: str | None = None, **settings: str) -> MemoryConnector:
        """Build an empty store (the registry's way of making a connector)."""
        return cls()

    def capabilities(self) -> frozenset[str]:
        """Return the capabilities this fake was built with."""
        return self._capabilities

    def inspect(self, table: str) -> TableShape | None:
        """Describe a table from the union of its rows' keys (or None when unknown)."""
        if table not in self.tables:
            return None
        names: dict[str, None] = {}
        for row in self.tables[table]:
            names.update(dict.fromkeys(row))
        required = self.not_null.get(table, set())
        columns = {n: ColumnShape(n, nullable=n not in required) for n in names}
        return TableShape(table, columns, self.indexes.get(table, (("id",),)))

    def find(self, table: str, match: Match, fields: Sequence[str]) -> list[Row]:
        """Return the chosen fields of matching rows."""
        self.calls.append(("find", table))
        return [{f: row.get(f) for f in fields} for row in self._matching(table, match)]

    def count(self, table: str, match: Match) -> int:
        """Count matching rows."""
        self.calls.append(("count", table))
        return len(self._matching(table, match))

    def update(self, table: str, match: Match, changes: Mapping[str, Change]) -> int:
        """Change matching rows, all or nothing."""
        self.calls.append(("update", table))
        rows = self._matching(table, match)
        staged = [(row, {col: apply_change(row.get(col), ch) for col, ch in changes.items()}) for row in rows]
        for _, new in staged:
            for col, value in new.items():
                if value is None and col in self.not_null.get(table, set()):
                    raise ConnectorError(f"{table}.{col} cannot be NULL")
        for row, new in staged:
            row.update(new)
        return len(rows)

    def delete(self, table: str, match: Match) -> int:
        """Delete matching rows unless some other row still points at them."""
        self.calls.append(("delete", table))
        doomed = self._matching(table, match)
        ids = {id(r) for r in doomed}
        for fk in self.foreign_keys:
            if fk.target != table:
                continue
            targets = {tuple(r.get(c) for c in fk.target_columns) for r in doomed}
            for child in self.tables.get(fk.table, []):
                if id(child) in ids:
                    continue
                if tuple(child.get(c) for c in fk.columns) in targets:
                    raise ConnectorError(f"rows of {fk.table} still reference {table}")
        self.tables[table] = [r for r in self.tables[table] if id(r) not in ids]
        return len(doomed)

    def _matching(self, table: str, match: Match) -> list[Row]:
        if table not in self.tables:
            raise ConnectorError(f"no table {table}")
        wanted: set[Key] = {tuple(v) for v in match.values}
        return [row for row in self.tables[table]
                if tuple(read_locator(row, f) for f in match.fields) in wanted]
