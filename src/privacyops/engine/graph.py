"""The dataset graph of a manifest: tables as nodes, declared references as edges from parent to child."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from privacyops.manifest.schema import Manifest, Table


@dataclass(frozen=True)
class Edge:
    """Rows of `child` whose `child_fields` equal `parent_fields` of a `parent` row belong with that row."""

    parent: str
    parent_fields: tuple[str, ...]
    child: str
    child_fields: tuple[str, ...]

    @property
    def is_self(self) -> bool:
        return self.parent == self.child


class PlanError(ValueError):
    """The manifest's datasets cannot be turned into a plan."""


def table_id(system: str, table: str) -> str:
    """Name a table across systems as `system.table`."""
    return f"{system}.{table}"


@dataclass(frozen=True)
class DatasetGraph:
    """Every declared table (in manifest order) and every reference between them."""

    tables: Mapping[str, Table]
    systems: Mapping[str, str]  # table id -> system name
    edges: tuple[Edge, ...]

    @classmethod
    def of(cls, manifest: Manifest) -> DatasetGraph:
        """Build the graph from the manifest's systems."""
        tables: dict[str, Table] = {}
        systems: dict[str, str] = {}
        edges: list[Edge] = []
        for system_name, system in manifest.systems.items():
            for name, table in system.tables.items():
                tables[table_id(system_name, name)] = table
                systems[table_id(system_name, name)] = system_name
        for child, table in tables.items():
            for reference in table.references:
                parent, fields = _target(systems[child], reference.to, child, tables)
                edges.append(Edge(parent, fields, child, tuple(reference.fields)))
        return cls(tables, systems, tuple(edges))

    def order_index(self, node: str) -> int:
        return list(self.tables).index(node)

    def children(self, parent: str) -> list[Edge]:
        return [e for e in self.edges if e.parent == parent and not e.is_self]

    def parents(self, child: str) -> list[Edge]:
        return [e for e in self.edges if e.child == child and not e.is_self]

    def self_edges(self, node: str) -> list[Edge]:
        return [e for e in self.edges if e.child == node and e.is_self]


def _target(system: str, targets: Iterable[str], child: str,
            tables: Mapping[str, Table]) -> tuple[str, tuple[str, ...]]:
    parents: set[str] = set()
    fields: list[str] = []
    for target in targets:
        parts = target.split(".")
        owner, name, column = (system, *parts) if len(parts) == 2 else parts
        parents.add(table_id(owner, name))
        fields.append(column)
    if len(parents) != 1:
        named = ", ".join(sorted(parents))
        raise PlanError(f"a reference of {child} points at more than one table ({named}); "
                        "a composite reference must name fields of one table")
    parent = parents.pop()
    if parent not in tables:
        raise PlanError(f"{child} references {parent}, which the manifest does not declare")
    return parent, tuple(fields)


def ordered(nodes: Iterable[str], before: Mapping[str, set[str]], rank: Mapping[str, int]) -> list[str]:
    """Sort `nodes` so each comes after the nodes in `before[node]`; ties and cycles go by `rank`."""
    remaining = set(nodes)
    result: list[str] = []
    while remaining:
        ready = [n for n in remaining if not (before.get(n, set()) & remaining)]
        # A cycle leaves nothing ready: take the first in manifest order and let the run settle it.
        pick = min(ready or remaining, key=lambda n: rank[n])
        result.append(pick)
        remaining.discard(pick)
    return result
