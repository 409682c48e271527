"""Erasure as resumable steps: the first collection is kept, each engine step is run on its own."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from privacyops.connectors.base import Connector, ConnectorError, Match
from privacyops.engine import collect as engine_collect
from privacyops.engine import recheck
from privacyops.engine import run as engine_run
from privacyops.engine.plan import Plan, Step, TablePlan
from privacyops.execution import fresh


@dataclass(frozen=True)
class StepResult:
    """What one step did: done or failed with a reason, rows touched, and rows kept under a hold."""

    ok: bool
    rows: int = 0
    reason: str = ""
    held: dict[str, int] = field(default_factory=dict)
    blocked: bool = False  # not run: a table it waits for failed in the same pass


def first_collection(plan: Plan, connectors: Mapping[str, Connector],
                     identities: Mapping[str, str], *, keep_for: str | None = None) -> dict[str, Any]:
    """Find the subject once and return what later steps need: widened identities and finder keys.

    With ``keep_for`` (a request id) the collection stays in this process for the pass that follows.
    """
    found = engine_collect.collect(plan, connectors, identities)
    summary = _summary(found)
    if keep_for is not None:
        fresh.keep(keep_for, summary, found)
    return summary


def _summary(found: engine_collect.Collection) -> dict[str, Any]:
    return {
        "identities": {k: sorted(map(str, vs)) for k, vs in sorted(found.identities.items())},
        "own": {k: sorted(vs) for k, vs in sorted(found.own.items())},
        "used": {f"{table}#{index}": sorted([list(k) for k in keys], key=repr)
                 for (table, index), keys in sorted(found.used.items()) if keys},
        "found": {table: len(rows) for table, rows in sorted(found.rows.items())},
        "keys": {table: sorted([list(k) for k in rows], key=repr)
                 for table, rows in sorted(found.rows.items())},
        "failures": dict(sorted(found.failures.items())),
    }


def seeds(subject: Mapping[str, Any]) -> Iterator[dict[str, str]]:
    """Yield identity sets that together cover every identity found, first all kinds at once."""
    identities: dict[str, list[str]] = subject.get("identities", {})
    yield {kind: values[0] for kind, values in identities.items() if values}
    for kind, values in identities.items():
        for value in values[1:]:
            yield {kind: value}


def run_step(plan: Plan, step: Step, connectors: Mapping[str, Connector], key: bytes,
             subject: Mapping[str, Any]) -> StepResult:
    """Run one erasure step of the plan for every identity seed; safe to run again after a crash.

    Only the step's table and the tables that lead to it are read again: the seeds carry every identity
    the first collection found, and the proof is the run's own `verify` step, so neither a collection of
    the other tables nor a proof per step is needed.
    """
    needed = ancestors(plan, step.table) | {step.table}
    single = replace(plan, steps=(step,), tables=tuple(t for t in plan.tables if t.id in needed))
    rows, held = 0, {}
    for seed in seeds(subject):
        if not seed:
            continue
        result = engine_run.run_erasure(single, connectors, key, seed, own=subject.get("own") or {},
                                        prove=False)
        (outcome,) = result.steps
        if outcome.status != "done":
            return StepResult(False, rows, outcome.reason or outcome.status)
        rows += outcome.rows
        held.update(result.held)
    return StepResult(True, rows, held=held)


def run_steps(plan: Plan, steps: list[Step], connectors: Mapping[str, Connector], key: bytes,
              subject: Mapping[str, Any], *, found: engine_collect.Collection | None = None,
              ) -> list[StepResult]:
    """Run consecutive erasure steps as one pass for every identity seed: one result per step, in order.

    The tables read are the steps' own and those leading to them; a step whose table waits for one
    that failed in the pass comes back blocked, as the engine leaves it. ``found``, the run's first
    collection made a moment ago (see :mod:`privacyops.execution.fresh`), covers every seed at once
    and is used instead of reading the tables again.
    """
    needed = set().union(*(ancestors(plan, s.table) | {s.table} for s in steps))
    batch = replace(plan, steps=tuple(steps), tables=tuple(t for t in plan.tables if t.id in needed))
    rows, reasons, blocked = [0] * len(steps), [""] * len(steps), [False] * len(steps)
    held: list[dict[str, int]] = [{} for _ in steps]
    passes = [{}] if found is not None else [seed for seed in seeds(subject) if seed]
    for seed in passes:
        result = engine_run.run_erasure(batch, connectors, key, seed, own=subject.get("own") or {},
                                        prove=False, found=found)
        for i, outcome in enumerate(result.steps):
            rows[i] += outcome.rows
            if outcome.status != "done" and not reasons[i]:
                reasons[i] = outcome.reason or outcome.status
                blocked[i] = outcome.status == "blocked"
            if steps[i].operation == "erase" and steps[i].table in result.held:
                held[i][steps[i].table] = result.held[steps[i].table]
    return [StepResult(not reasons[i], rows[i], reasons[i], held[i], blocked[i]) for i in range(len(steps))]


def evidence(plan: Plan, connectors: Mapping[str, Connector], key: bytes,
             subject: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Re-query every finder with the values of the first collection and of a fresh one (ER-6 proof)."""
    used = {k: {tuple(v) for v in vs} for k, vs in subject.get("used", {}).items()}
    for seed in seeds(subject):
        if not seed:
            continue
        found = engine_collect.collect(plan, connectors, seed)
        for (table_id, index), keys in found.used.items():
            used.setdefault(f"{table_id}#{index}", set()).update(keys)
    proofs = []
    for table in plan.tables:
        for index, finder in enumerate(table.finders):
            values = used.get(f"{table.id}#{index}")
            if values:
                remaining = _count(table, finder.fields, values, connectors)
                proofs.append({"table": table.id, "finder": finder.describe(), "remaining": remaining,
                               "held": is_held(table, finder.fields)})
    return proofs + text_proofs(plan, connectors, subject)


def text_proofs(plan: Plan, connectors: Mapping[str, Connector],
                subject: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Read every redacted field of the rows first found again: none may hold the subject's values (ER-6)."""
    matcher = recheck.subject_matcher(subject.get("identities", {}), subject.get("own", {}))
    proofs = []
    for table in plan.tables:
        keys = [tuple(k) for k in (subject.get("keys") or {}).get(table.id, [])]
        connector = connectors.get(table.system)
        if not recheck.redacted_fields(table) or not keys or connector is None:
            continue
        try:
            left = recheck.leftovers(table, connector, keys, matcher)
        except ConnectorError as exc:
            left = [f"{table.id} could not be read again: {exc}"]
        proofs.append({"table": table.id, "finder": "the subject's values in redacted text",
                       "remaining": len(left), "held": False, "problems": left})
    return proofs


def _count(table: TablePlan, fields: tuple[str, ...], values: set[tuple[Any, ...]],
           connectors: Mapping[str, Connector]) -> int:
    connector = connectors.get(table.system)
    if connector is None:
        return -1
    try:
        return connector.count(table.table, Match(fields, tuple(sorted(values, key=repr))))
    except ConnectorError:
        return -1


def is_held(table: TablePlan, fields: tuple[str, ...]) -> bool:
    """Tell whether a finder may still match kept rows because its columns stay on purpose."""
    if table.row_action == "delete":
        return False
    actions = {a.field: a.action for a in table.field_actions}
    columns = [f.split("->", 1)[0].strip() for f in fields]
    return all(actions.get(c, "none") in ("keep", "none") for c in columns)


def proof_ok(proofs: list[dict[str, Any]]) -> bool:
    """Tell whether the evidence shows nothing left but rows kept on purpose."""
    return all(p["remaining"] == 0 or (p["held"] and p["remaining"] > 0) for p in proofs)


def ancestors(plan: Plan, table_id: str) -> set[str]:
    """Return the tables whose rows a table's rows point at, directly or not (they wait for it)."""
    found: set[str] = set()
    pending = [table_id]
    while pending:
        for finder in plan.table(pending.pop()).finders:
            if finder.parent and finder.parent not in found and finder.parent != table_id:
                found.add(finder.parent)
                pending.append(finder.parent)
    return found
