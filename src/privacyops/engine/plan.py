"""The plan of one request: tables that hold the subject, how rows are found, what happens to each field."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal, cast

from privacyops.engine.graph import DatasetGraph, Edge, PlanError, ordered
from privacyops.manifest.identifying import identifying_fields
from privacyops.manifest.schema import LegalHold, Manifest, Table

__all__ = ["FieldAction", "Finder", "Plan", "PlanError", "Step", "TablePlan", "build_plan", "request_kind"]

RequestKind = Literal["access", "erasure"]
ACCESS_TYPES = frozenset({"access", "portability", "know"})
ERASURE_TYPES = frozenset({"erasure", "delete", "account_deletion"})

Action = Literal["delete_row", "null", "pseudonymise", "redact", "keep", "none", "detach"]


@dataclass(frozen=True)
class Finder:
    """One way to find the subject's rows: an identity value, or keys of rows found in a parent table."""

    fields: tuple[str, ...]  # columns of this table, or `column->json.path`
    identity: str | None = None  # identity kind matched, e.g. "email"
    parent: str | None = None  # `system.table` whose found rows give the values
    parent_fields: tuple[str, ...] = ()

    def describe(self) -> str:
        """Say in words how the rows are found."""
        lhs = ", ".join(self.fields)
        if self.identity:
            return f"{lhs} = the subject's {self.identity}"
        return f"{lhs} IN {self.parent}({', '.join(self.parent_fields)}) of rows found"


@dataclass(frozen=True)
class FieldAction:
    """What an erasure does to one declared field of a row that is kept."""

    field: str
    action: Action
    reason: str = ""


@dataclass(frozen=True)
class TablePlan:
    """One table the subject's data reaches: how its rows are found, read and erased."""

    id: str  # system.table
    system: str
    table: str
    key: tuple[str, ...]
    finders: tuple[Finder, ...]
    read: tuple[str, ...]  # declared fields, returned by an access
    existence_only: tuple[str, ...]
    identities: Mapping[str, str]  # kind -> locator, for widening the subject's identities
    identifying: Mapping[str, str] = field(default_factory=dict)  # field -> kind (name, phone, ...)
    row_action: Literal["delete", "keep"] = "delete"
    field_actions: tuple[FieldAction, ...] = ()
    hold: LegalHold | None = None
    self_links: tuple[Edge, ...] = ()
    notes: tuple[str, ...] = ()

    def fetch_fields(self) -> tuple[str, ...]:
        """Return the columns to read: key, declared fields and every column a finder or child needs."""
        wanted = list(self.key) + list(self.read)
        wanted += [loc.split("->", 1)[0].strip() for loc in self.identities.values()]
        return tuple(dict.fromkeys(wanted))


@dataclass(frozen=True)
class Step:
    """One unit of an erasure, run in one transaction: cut self links, or erase the rows of a table."""

    number: int
    table: str  # system.table
    operation: Literal["read", "detach", "erase"]
    edge: Edge | None = None


@dataclass(frozen=True)
class Plan:
    """Everything a request will do, fixed before anything runs."""

    kind: RequestKind
    request_type: str
    identity_kinds: tuple[str, ...]
    tables: tuple[TablePlan, ...]  # collection order: parents before children
    steps: tuple[Step, ...]  # access: reads in collection order; erasure: children before parents
    unreached: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default=())

    def table(self, table_id: str) -> TablePlan:
        """Return the plan of one table."""
        for t in self.tables:
            if t.id == table_id:
                return t
        raise KeyError(table_id)

    def render(self) -> str:
        """Return the plan as text for people (no identity values in it)."""
        from privacyops.engine import render

        return render.plan_text(self)


def request_kind(request_type: str) -> RequestKind:
    """Map a request type to what the engine does: read the data or erase it."""
    if request_type in ACCESS_TYPES:
        return "access"
    if request_type in ERASURE_TYPES:
        return "erasure"
    raise PlanError(f"the engine plans access and erasure requests, not {request_type!r}")


def build_plan(manifest: Manifest, identities: Mapping[str, str], request_type: str) -> Plan:
    """Plan a request for a subject known by `identities` (kind -> value; only the kinds are used)."""
    kind = request_kind(request_type)
    if not identities:
        raise PlanError("a request needs at least one identity of the subject, e.g. {'email': ...}")
    graph = DatasetGraph.of(manifest)
    kinds = _known_kinds(graph, set(identities))
    reached = _reached(graph, kinds)
    rank = {node: i for i, node in enumerate(graph.tables)}
    order = ordered(reached, _collect_dependencies(graph, reached, kinds), rank)
    kept = _kept_rows(graph, reached)
    tables = tuple(_table_plan(graph, node, reached, kinds, kept) for node in order)
    if kind == "access":
        steps = tuple(Step(i + 1, t.id, "read") for i, t in enumerate(tables))
    else:
        steps = _erasure_steps(graph, tables, rank)
    unreached = tuple(n for n in graph.tables if n not in reached)
    return Plan(kind, request_type, tuple(sorted(kinds)), tables, steps, unreached)


def _known_kinds(graph: DatasetGraph, given: set[str]) -> set[str]:
    """Widen the identity kinds: a row found by one identity also yields the others in that row."""
    kinds = set(given)
    changed = True
    while changed:
        changed = False
        for table in graph.tables.values():
            if kinds & set(table.identity) and not set(table.identity) <= kinds:
                kinds |= set(table.identity)
                changed = True
    return kinds


def _reached(graph: DatasetGraph, kinds: set[str]) -> set[str]:
    frontier = [n for n, t in graph.tables.items() if kinds & set(t.identity)]
    reached = set(frontier)
    while frontier:
        node = frontier.pop()
        for edge in graph.children(node):
            if edge.child not in reached:
                reached.add(edge.child)
                frontier.append(edge.child)
    return reached


def _collect_dependencies(graph: DatasetGraph, reached: set[str], kinds: set[str]) -> dict[str, set[str]]:
    before: dict[str, set[str]] = {n: set() for n in reached}
    # Tables with more than one identity widen the subject's identities; consumers of a kind wait for them.
    widening = {n for n in reached if len(graph.tables[n].identity) > 1}
    providers = {k: {n for n in widening if k in graph.tables[n].identity} for k in kinds}
    for node in reached:
        before[node] |= {e.parent for e in graph.parents(node) if e.parent in reached}
        for k in set(graph.tables[node].identity) & kinds:
            before[node] |= providers[k] - {node}
    return before


def _deletes_rows(table: Table) -> bool:
    return table.erase == "delete" and not any(f.erase == "keep" for f in table.fields.values())


def _kept_rows(graph: DatasetGraph, reached: set[str]) -> dict[str, str]:
    """Return each reached table whose rows survive an erasure, with the reason."""
    kept = {n: "" for n in reached if not _deletes_rows(graph.tables[n])}
    changed = True
    while changed:
        changed = False
        for edge in graph.edges:
            if edge.is_self or edge.child not in kept or edge.parent not in reached or edge.parent in kept:
                continue
            child = graph.tables[edge.child]
            if not any(child.fields.get(f) and child.fields[f].categories for f in edge.child_fields):
                # A structural link (no personal data in it) from a kept row keeps the parent row too.
                kept[edge.parent] = f"kept because rows of {edge.child} that survive point at it"
                changed = True
    return kept


def _finders(graph: DatasetGraph, node: str, reached: set[str], kinds: set[str]) -> tuple[Finder, ...]:
    table = graph.tables[node]
    found = [Finder((loc,), identity=k) for k, loc in table.identity.items() if k in kinds]
    found += [Finder(e.child_fields, parent=e.parent, parent_fields=e.parent_fields)
              for e in graph.parents(node) if e.parent in reached]
    return tuple(found)


def _table_plan(graph: DatasetGraph, node: str, reached: set[str], kinds: set[str],
                kept: Mapping[str, str]) -> TablePlan:
    table = graph.tables[node]
    system, name = graph.systems[node], node.split(".", 1)[1]
    existence = tuple(f for f, spec in table.fields.items() if spec.disclose == "existence_only")
    keeps = node in kept
    notes = (kept[node],) if keeps and kept[node] else ()
    return TablePlan(
        id=node, system=system, table=name, key=tuple(table.primary_key),
        finders=_finders(graph, node, reached, kinds), read=tuple(table.fields), existence_only=existence,
        identities={str(k): v for k, v in table.identity.items()}, identifying=identifying_fields(table),
        row_action="keep" if keeps else "delete",
        field_actions=_field_actions(graph, node, reached, kept) if keeps else (),
        hold=_hold(table), self_links=tuple(graph.self_edges(node)), notes=notes,
    )


def _hold(table: Table) -> LegalHold | None:
    return table.hold or next((f.hold for f in table.fields.values() if f.hold), None)


def _field_actions(graph: DatasetGraph, node: str, reached: set[str],
                   kept: Mapping[str, str]) -> tuple[FieldAction, ...]:
    table = graph.tables[node]
    # Rows kept although the table says delete (anchors, field holds): their other personal fields are nulled.
    default = _as_field_action(table.erase)
    actions: dict[str, FieldAction] = {}
    for name, spec in table.fields.items():
        action = _as_field_action(spec.erase) if spec.erase else default if spec.categories else "none"
        hold = spec.hold or table.hold
        reason = f"hold {hold.name}: {hold.reason}" if action == "keep" and hold else ""
        actions[name] = FieldAction(name, action, reason)
    for edge in graph.parents(node):
        if edge.parent not in reached or edge.parent in kept:
            continue
        for column in edge.child_fields:
            # The rows pointed at are deleted: cut the link (a pseudonym would break the reference).
            actions[column] = FieldAction(column, "detach", f"points at {edge.parent} rows that are deleted")
    return tuple(actions.values())


def _as_field_action(strategy: str) -> Action:
    """Map an erasure strategy onto a field of a kept row, where deleting means nulling."""
    return cast(Action, "null" if strategy == "delete" else strategy)


def _erasure_steps(graph: DatasetGraph, tables: tuple[TablePlan, ...],
                   rank: Mapping[str, int]) -> tuple[Step, ...]:
    nodes = [t.id for t in tables]
    # A parent is erased after all its children, so no foreign key blocks a delete.
    before = {n: {e.child for e in graph.children(n) if e.child in nodes} for n in nodes}
    steps: list[Step] = []
    for node in ordered(nodes, before, rank):
        plan = next(t for t in tables if t.id == node)
        if plan.row_action == "delete":
            steps += [Step(0, node, "detach", edge) for edge in plan.self_links]
        steps.append(Step(0, node, "erase"))
    return tuple(Step(i + 1, s.table, s.operation, s.edge) for i, s in enumerate(steps))
