"""Find the subject's rows: run every finder of the plan with set-based queries until nothing new turns up."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from privacyops.connectors.base import READ, Connector, ConnectorError, Key, Match, Row, read_locator
from privacyops.engine.plan import Finder, Plan, TablePlan


@dataclass
class Collection:
    """The rows found per table (by primary key), the subject's identities and the values each finder used.

    ``own`` holds, by kind, the values of the identifying fields of the subject's own rows (rows one
    of the subject's identities found): their name, phone, username ... that free text may repeat.
    """

    rows: dict[str, dict[Key, Row]] = field(default_factory=dict)
    identities: dict[str, set[Any]] = field(default_factory=dict)
    own: dict[str, set[str]] = field(default_factory=dict)
    used: dict[tuple[str, int], set[Key]] = field(default_factory=dict)
    failures: dict[str, str] = field(default_factory=dict)

    def keys(self, table: str) -> tuple[Key, ...]:
        """Return the primary keys found in a table, sorted."""
        return tuple(sorted(self.rows.get(table, {}), key=repr))


def connector_for(plan_table: TablePlan, connectors: Mapping[str, Connector]) -> Connector:
    """Return the connector of the table's system or fail naming the system."""
    try:
        return connectors[plan_table.system]
    except KeyError:
        raise ConnectorError(f"no connector is configured for system {plan_table.system}") from None


def finder_inputs(finder: Finder, found: Collection) -> set[Key]:
    """Return the values a finder looks for, given what has been found so far."""
    if finder.identity is not None:
        return {(v,) for v in found.identities.get(finder.identity, set())}
    inputs: set[Key] = set()
    for row in found.rows.get(finder.parent or "", {}).values():
        key = tuple(row.get(f) for f in finder.parent_fields)
        if all(v is not None for v in key):
            inputs.add(key)
    return inputs


def collect(plan: Plan, connectors: Mapping[str, Connector], identities: Mapping[str, Any]) -> Collection:
    """Find every row of the subject in the plan's tables; repeat passes until no finder has new values."""
    found = Collection(identities={k: vs for k, v in identities.items() if (vs := _values(v))})
    progress = True
    while progress:
        progress = False
        for table in plan.tables:
            if table.id not in found.failures:
                progress |= _collect_table(table, connectors, found)
    return found


def _values(value: Any) -> set[Any]:
    # A set, list or tuple of values finds several subjects at once (a retention sweep's batch).
    many = value if isinstance(value, set | frozenset | list | tuple) else (value,)
    return {v for v in many if v not in (None, "")}


def _collect_table(table: TablePlan, connectors: Mapping[str, Connector], found: Collection) -> bool:
    queried = False
    for index, finder in enumerate(table.finders):
        used = found.used.setdefault((table.id, index), set())
        new = finder_inputs(finder, found) - used
        if not new:
            continue
        used |= new
        queried = True
        try:
            connector = connector_for(table, connectors)
            if READ not in connector.capabilities():
                raise ConnectorError(f"the connector of {table.system} cannot read")
            rows = connector.find(table.table, Match(finder.fields, tuple(sorted(new, key=repr))),
                                  table.fetch_fields())
        except ConnectorError as exc:
            found.failures[table.id] = str(exc)
            return False
        _add_rows(table, finder, rows, found)
    return queried


def _add_rows(table: TablePlan, finder: Finder, rows: list[Row], found: Collection) -> None:
    store = found.rows.setdefault(table.id, {})
    for row in rows:
        store.setdefault(tuple(row.get(k) for k in table.key), row)
        if finder.identity is None:
            continue
        # A row matched by an identity belongs to the subject: its other identities are theirs too.
        for kind, locator in table.identities.items():
            value = read_locator(row, locator)
            if value not in (None, ""):
                found.identities.setdefault(kind, set()).add(value)
        for name, kind in table.identifying.items():
            value = row.get(name)
            if isinstance(value, str | int) and not isinstance(value, bool) and str(value).strip():
                found.own.setdefault(kind, set()).add(str(value).strip())
