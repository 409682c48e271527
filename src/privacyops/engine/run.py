"""Run a plan against connectors: an access returns the subject's rows, an erasure proves nothing is left."""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from privacyops.connectors.base import (
    Change,
    Connector,
    ConnectorError,
    MapValues,
    Match,
    Row,
    SetNull,
)
from privacyops.engine import checks, recheck, redact
from privacyops.engine.collect import Collection, collect
from privacyops.engine.plan import Plan, PlanError, Step, TablePlan

Status = Literal["done", "failed", "blocked"]
PSEUDONYM_PREFIX = "pseud_"
REDACTED = "[redacted]"


@dataclass(frozen=True)
class StepOutcome:
    """What one step did: its status, the rows it touched and, when it did not succeed, why."""

    number: int
    table: str
    operation: str
    status: Status
    rows: int = 0
    reason: str = ""
    seconds: float = 0.0


@dataclass(frozen=True)
class Evidence:
    """After an erasure: how many rows a finder still matches, and whether that is allowed (a legal hold)."""

    table: str
    finder: str
    remaining: int
    held: bool = False

    @property
    def ok(self) -> bool:
        return self.remaining == 0 or self.held


@dataclass
class AccessResult:
    """The subject's rows per table, with secrets stated (`set`/`not set`) rather than disclosed."""

    rows: dict[str, list[Row]] = field(default_factory=dict)
    steps: list[StepOutcome] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(s.status == "done" for s in self.steps)


@dataclass
class ErasureResult:
    """What each step did, the rows kept under a hold, and the re-query that proves nothing else is left."""

    steps: list[StepOutcome] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)
    held: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(s.status == "done" for s in self.steps) and all(e.ok for e in self.evidence)

    def failures(self) -> list[StepOutcome]:
        return [s for s in self.steps if s.status != "done"]


def run_access(plan: Plan, connectors: Mapping[str, Connector],
               identities: Mapping[str, Any]) -> AccessResult:
    """Read every row of the subject in the plan's tables."""
    _expect(plan, "access")
    result = AccessResult(notes=_index_notes(plan, connectors))
    refused = _refusals(plan, connectors, lambda t: checks.check_read(t, connectors))
    started = time.perf_counter()
    found = collect(_without(plan, refused), connectors, identities)
    seconds = time.perf_counter() - started
    for step in plan.steps:
        table = plan.table(step.table)
        reason = refused.get(table.id) or found.failures.get(table.id)
        rows = [_disclosable(table, r) for _, r in sorted(found.rows.get(table.id, {}).items(), key=repr)]
        if reason:
            result.steps.append(StepOutcome(step.number, table.id, "read", "failed", 0, reason))
            continue
        result.rows[table.id] = rows
        result.steps.append(StepOutcome(step.number, table.id, "read", "done", len(rows),
                                        seconds=seconds / max(len(plan.steps), 1)))
    return result


def run_erasure(plan: Plan, connectors: Mapping[str, Connector], key: bytes,
                identities: Mapping[str, Any], *, own: Mapping[str, Iterable[str]] | None = None,
                prove: bool = True, found: Collection | None = None) -> ErasureResult:
    """Erase the subject's rows step by step, then re-query every finder to prove nothing is left.

    ``own`` adds identifying values found earlier (a first collection kept before any change), so a
    step run again after its parent rows are gone still redacts the subject's name from free text.
    ``prove=False`` leaves the proof out, for a caller that proves the whole erasure once at its end.
    ``found`` is a collection the caller made a moment ago with the same plan, used instead of
    collecting again (the caller's own proof must then catch rows that appeared since).
    """
    _expect(plan, "erasure")
    if not key:
        raise PlanError("an erasure needs a pseudonymisation key (bytes)")
    result = ErasureResult(notes=_index_notes(plan, connectors))
    refused = _refusals(plan, connectors, lambda t: checks.check_read(t, connectors))
    if found is None:
        found = collect(_without(plan, refused), connectors, identities)
    for kind, values in (own or {}).items():
        found.own.setdefault(kind, set()).update(values)
    blocked: dict[str, str] = {}
    for step in plan.steps:
        table = plan.table(step.table)
        failures = {**refused, **found.failures}
        outcome = _erase_step(plan, step, table, connectors, found, key, failures, blocked)
        result.steps.append(outcome)
        if outcome.status != "done":
            _block_ancestors(plan, table.id, blocked)
        elif step.operation == "erase" and table.row_action == "keep" and table.hold and found.keys(table.id):
            result.held[table.id] = len(found.rows[table.id])
    result.evidence = _evidence(plan, connectors, found) if prove else []
    return result


def _expect(plan: Plan, kind: str) -> None:
    if plan.kind != kind:
        raise PlanError(f"this is an {plan.kind} plan; build an {kind} plan for this run")


def _refusals(plan: Plan, connectors: Mapping[str, Connector], check: Any) -> dict[str, str]:
    refused: dict[str, str] = {}
    for table in plan.tables:
        try:
            check(table)
        except checks.StepRefused as exc:
            refused[table.id] = str(exc)
    return refused


def _without(plan: Plan, refused: Mapping[str, str]) -> Plan:
    from dataclasses import replace

    return replace(plan, tables=tuple(t for t in plan.tables if t.id not in refused))


def _index_notes(plan: Plan, connectors: Mapping[str, Connector]) -> list[str]:
    return [note for table in plan.tables for note in checks.missing_indexes(table, connectors)]


def _disclosable(table: TablePlan, row: Row) -> Row:
    out = {f: row.get(f) for f in table.read}
    for name in table.existence_only:
        out[name] = "not set" if out.get(name) in (None, "") else "set"
    return out


def _erase_step(plan: Plan, step: Step, table: TablePlan, connectors: Mapping[str, Connector],
                found: Collection, key: bytes, failures: Mapping[str, str],
                blocked: Mapping[str, str]) -> StepOutcome:
    started = time.perf_counter()

    def outcome(status: Status, rows: int = 0, reason: str = "") -> StepOutcome:
        return StepOutcome(step.number, table.id, step.operation, status, rows, reason,
                           time.perf_counter() - started)

    if table.id in failures:
        return outcome("failed", reason=failures[table.id])
    if table.id in blocked:
        return outcome("blocked", reason=blocked[table.id])
    try:
        connector = checks.check_erase(table, step, connectors)
        keys = found.keys(table.id)
        if not keys:
            return outcome("done")
        rows = _apply(step, table, connector, found, keys, key)
        if step.operation == "erase":
            matcher = recheck.subject_matcher(found.identities, found.own)
            left = recheck.leftovers(table, connector, keys, matcher)
            if left:
                return outcome("failed", rows, recheck.failure(left))
        return outcome("done", rows)
    except (checks.StepRefused, ConnectorError) as exc:
        return outcome("failed", reason=str(exc))


def _apply(step: Step, table: TablePlan, connector: Connector, found: Collection,
           keys: tuple[Any, ...], key: bytes) -> int:
    rows = found.rows[table.id]
    if step.operation == "detach" and step.edge is not None:
        pointed_at = {tuple(r.get(f) for f in step.edge.parent_fields) for r in rows.values()}
        targets = tuple(sorted(pointed_at, key=repr))
        return connector.update(table.table, Match(step.edge.child_fields, targets),
                                {c: SetNull() for c in step.edge.child_fields})
    match = Match(table.key, keys)
    if table.row_action == "delete":
        return connector.delete(table.table, match)
    changes = _changes(table, list(rows.values()), found, key)
    if not changes:
        return 0
    return connector.update(table.table, match, changes)


def _changes(table: TablePlan, rows: list[Row], found: Collection, key: bytes) -> dict[str, Change]:
    changes: dict[str, Change] = {}
    needles = recheck.subject_matcher(found.identities, found.own)
    for action in table.field_actions:
        if action.action in checks.NULLING_ACTIONS:
            changes[action.field] = SetNull()
        elif action.action == "redact":
            change = redact.redact_change(action.field, rows, needles, REDACTED)
            if change is not None:
                changes[action.field] = change
        elif action.action == "pseudonymise":
            values = {r.get(action.field) for r in rows} - {None}
            changes[action.field] = MapValues(tuple(sorted(((v, pseudonym(key, v)) for v in values
                                                            if not _is_pseudonym(v)), key=repr)))
    return changes


def pseudonym(key: bytes, value: Any) -> str:
    """Return the keyed HMAC pseudonym of a value: the same value always gets the same pseudonym."""
    digest = hmac.new(key, str(value).encode(), hashlib.sha256).hexdigest()
    return PSEUDONYM_PREFIX + digest[:32]


def _is_pseudonym(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(PSEUDONYM_PREFIX)


def _block_ancestors(plan: Plan, table_id: str, blocked: dict[str, str]) -> None:
    """Tables the failed one points at must not lose rows its surviving rows still reference."""
    pending = [table_id]
    while pending:
        current = plan.table(pending.pop())
        for finder in current.finders:
            parent = finder.parent
            if parent and parent not in blocked and parent != table_id:
                blocked[parent] = f"waits for {table_id}, which failed"
                pending.append(parent)


def _evidence(plan: Plan, connectors: Mapping[str, Connector], found: Collection) -> list[Evidence]:
    evidence: list[Evidence] = []
    for table in plan.tables:
        connector = connectors.get(table.system)
        if connector is None:
            continue
        for index, finder in enumerate(table.finders):
            used = found.used.get((table.id, index))
            if not used:
                continue
            try:
                remaining = connector.count(table.table, Match(finder.fields, tuple(sorted(used, key=repr))))
            except ConnectorError:
                remaining = -1
            evidence.append(Evidence(table.id, finder.describe(), remaining, _held(table, finder.fields)))
    return evidence


def _held(table: TablePlan, fields: tuple[str, ...]) -> bool:
    """Return whether a finder may still match kept rows because its columns are left in place on purpose."""
    if table.row_action == "delete":
        return False
    actions = {a.field: a.action for a in table.field_actions}
    columns = [f.split("->", 1)[0].strip() for f in fields]
    return all(actions.get(c, "none") in ("keep", "none") for c in columns)
