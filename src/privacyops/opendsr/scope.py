"""Customer-ingested data, scoped to one project: which tables it is, and a connector that never leaves it.

A table holds processor data when its ``role`` (or its system's) is ``processor``. Such a table is
scoped by its project column: the field of a reference to a ``projects`` table, or a field named
``project_id``. Tables without one (observations of a trace) are reached only through scoped parents,
so they stay inside the project too.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from privacyops.connectors.base import Change, Connector, Match, Row, TableShape
from privacyops.engine.graph import table_id
from privacyops.engine.plan import Finder, Plan, Step
from privacyops.manifest.schema import Manifest

PROJECT_TABLE = "projects"
PROJECT_FIELD = "project_id"


@dataclass(frozen=True)
class ProcessorTable:
    """A table of customer data: where it is, and the column naming its project (None: via parents)."""

    id: str
    system: str
    table: str
    project_column: str | None


def processor_tables(manifest: Manifest) -> dict[str, ProcessorTable]:
    """Return every table whose effective role is ``processor``, by ``system.table``."""
    found: dict[str, ProcessorTable] = {}
    for system_name, system in manifest.systems.items():
        for name, table in system.tables.items():
            if (table.role or system.role) != "processor":
                continue
            column = _project_column(table.references, table.fields)
            found[table_id(system_name, name)] = ProcessorTable(
                table_id(system_name, name), system_name, name, column
            )
    return found


def _project_column(references: Sequence[Any], fields: Mapping[str, Any]) -> str | None:
    for reference in references:
        for field, target in zip(reference.fields, reference.to, strict=True):
            if target.split(".")[-2] == PROJECT_TABLE:
                return str(field)
    return PROJECT_FIELD if PROJECT_FIELD in fields else None


def identity_locators(manifest: Manifest) -> dict[tuple[str, tuple[str, ...]], str]:
    """Map (table id, key fields) to the identity kind they hold, e.g. (app_db.users, (id,)) -> user_id."""
    found: dict[tuple[str, tuple[str, ...]], str] = {}
    for system_name, system in manifest.systems.items():
        for name, table in system.tables.items():
            for kind, locator in table.identity.items():
                found[(table_id(system_name, name), (locator,))] = str(kind)
    return found


def restrict_plan(plan: Plan, manifest: Manifest, allowed: Mapping[str, ProcessorTable]) -> Plan:
    """Keep only the plan's processor tables; a link to a controller table's identity becomes an identity."""
    identities = identity_locators(manifest)
    tables = []
    for table in plan.tables:
        if table.id not in allowed:
            continue
        finders = []
        for finder in table.finders:
            if finder.parent is None or finder.parent in allowed:
                finders.append(finder)
                continue
            kind = identities.get((finder.parent, finder.parent_fields))
            if kind is not None and len(finder.fields) == 1 and kind in plan.identity_kinds:
                # traces.user_id -> users.id: the customer's user id is matched on the column itself.
                finders.append(Finder(finder.fields, identity=kind))
        identity_map = dict(table.identities)
        for finder in finders:
            if finder.identity and finder.identity not in identity_map:
                identity_map[finder.identity] = finder.fields[0]
        tables.append(replace(table, finders=tuple(dict.fromkeys(finders)), identities=identity_map))
    kept = {t.id for t in tables}
    steps = [s for s in plan.steps if s.table in kept]
    numbered = tuple(Step(i + 1, s.table, s.operation, s.edge) for i, s in enumerate(steps))
    return replace(plan, tables=tuple(tables), steps=numbered, unreached=())


class ScopedConnector:
    """A connector that adds ``project column = project`` to every match on the tables it scopes."""

    def __init__(self, inner: Connector, columns: Mapping[str, str], project_id: str) -> None:
        self.inner = inner
        self.columns = dict(columns)  # table name -> project column
        self.project_id = project_id

    def scoped(self, table: str, match: Match) -> Match:
        """Return the match narrowed to the project (unchanged for tables reached through parents)."""
        column = self.columns.get(table)
        if column is None:
            return match
        return Match((*match.fields, column), tuple((*values, self.project_id) for values in match.values))

    def capabilities(self) -> frozenset[str]:
        return self.inner.capabilities()

    def inspect(self, table: str) -> TableShape | None:
        return self.inner.inspect(table)

    def find(self, table: str, match: Match, fields: Sequence[str]) -> list[Row]:
        return self.inner.find(table, self.scoped(table, match), fields)

    def count(self, table: str, match: Match) -> int:
        return self.inner.count(table, self.scoped(table, match))

    def update(self, table: str, match: Match, changes: Mapping[str, Change]) -> int:
        return self.inner.update(table, self.scoped(table, match), changes)

    def delete(self, table: str, match: Match) -> int:
        return self.inner.delete(table, self.scoped(table, match))

    def in_project(self, table: str, fields: Sequence[str]) -> list[Row]:
        """Return ``fields`` of every row of a scoped table in the project (to match hashed identities)."""
        column = self.columns[table]
        return self.inner.find(table, Match.of(column, [self.project_id]), fields)


def scoped_connectors(
    connectors: Mapping[str, Connector], tables: Mapping[str, ProcessorTable], project_id: str
) -> dict[str, ScopedConnector]:
    """Wrap the connector of every system holding processor tables so it stays inside one project."""
    wrapped: dict[str, ScopedConnector] = {}
    for system, connector in connectors.items():
        columns = {
            t.table: t.project_column for t in tables.values() if t.system == system and t.project_column
        }
        wrapped[system] = ScopedConnector(connector, columns, project_id)
    return wrapped
