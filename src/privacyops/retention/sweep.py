"""Run a retention rule: select expired rows in short batches, skip held ones, act, record every batch.

A rule with ``sweep.subject`` erases the people whose period has run out through the request engine
(the same plan and erasure strategies as an erasure request, for a whole batch of people at once); one
without it deletes, nulls or pseudonymises the table's own expired rows. Each batch is written to the
tombstone ledger first, then applied in its own short transactions, then counted on the run.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from privacyops.connectors.base import Change, ConnectorError, Key, MapValues, Match, SetNull
from privacyops.engine import collect as engine_collect
from privacyops.engine import run as engine_run
from privacyops.engine.plan import Plan, PlanError, build_plan
from privacyops.execution.env import ExecutionEnv
from privacyops.execution.erasure import ancestors
from privacyops.manifest.schema import RetentionRule, Sweep
from privacyops.retention import holds as holds_mod
from privacyops.retention import runs, tombstones
from privacyops.retention.periods import Period, cutoff
from privacyops.retention.targets import Target
from privacyops.store.models.retention import RetentionRun

Tick = Callable[[int], None]


@dataclass
class Batch:
    """What one batch did: rows per table, rows or people kept by a hold, and errors."""

    rows: dict[str, int] = field(default_factory=dict)
    held: dict[str, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)


def sweep_rules(env: ExecutionEnv, only: str | None = None) -> list[RetentionRule]:
    """Return the manifest's rules that have a sweep (only the named one when given)."""
    rules = [r for r in env.manifest.retention.rules if r.sweep is not None]
    if only is not None:
        rules = [r for r in rules if r.name == only]
        if not rules:
            known = ", ".join(r.name for r in env.manifest.retention.rules if r.sweep) or "none"
            raise ValueError(f"--rule: no rule named {only!r} has a sweep (rules with one: {known})")
    return rules


def owner_name() -> str:
    """Return who runs a sweep: host and process, for the run's lease."""
    return f"{socket.gethostname()}:{os.getpid()}"


def run_rule(
    env: ExecutionEnv,
    sessions: sessionmaker[Session],
    rule: RetentionRule,
    *,
    dry_run: bool = False,
    tick: Tick | None = None,
    total: Callable[[int], None] | None = None,
) -> RetentionRun:
    """Sweep one rule (or report what it would do) and return its recorded run."""
    sweep = _sweep_of(rule)
    now = env.now()
    with sessions.begin() as session:
        run = runs.start(
            session,
            rule.name,
            cutoff(now, Period.parse(str(rule.period))),
            dry_run=dry_run,
            owner=owner_name(),
            now=now,
        )
        held = holds_mod.in_force(session, now)
    report: dict[str, Any] = {}
    errors: list[str] = []
    try:
        target = target_of(env, sweep)
        table_id = f"{sweep.system}.{sweep.table}"
        with target.engine.connect() as conn:
            report[table_id] = target.summary(conn, run.cutoff)
        if total:
            total(int(report[table_id]["count"]))
        held_tables = held.held_tables(env.manifest)
        if dry_run:
            pass
        elif sweep.subject is None and table_id in held_tables:
            _count(sessions, run.id, Batch(held={table_id: report[table_id]["count"]}), env.now())
        else:
            errors = _batches(env, sessions, run, target, held, held_tables, tick)
    except (ConnectorError, PlanError) as exc:
        errors.append(str(exc))
    with sessions.begin() as session:
        return runs.finish(session, run.id, errors=errors, report=report, now=env.now())


def _sweep_of(rule: RetentionRule) -> Sweep:
    if rule.sweep is None or rule.period is None:
        raise ValueError(f"rule {rule.name} has no sweep with a period")
    return rule.sweep


def target_of(env: ExecutionEnv, sweep: Sweep) -> Target:
    connector = env.connectors.get(sweep.system)
    if connector is None:
        reason = env.problems.get(sweep.system, f"no connector for system {sweep.system}")
        raise ConnectorError(reason)
    return Target.of(connector, sweep, env.manifest.systems[sweep.system].tables[sweep.table])


def _batches(
    env: ExecutionEnv,
    sessions: sessionmaker[Session],
    run: RetentionRun,
    target: Target,
    held: holds_mod.HoldSet,
    held_tables: dict[str, str],
    tick: Tick | None,
) -> list[str]:
    sweep = target.sweep
    if sweep.subject is None and sweep.action == "delete" and not held.subjects:
        return _delete_batches(env, sessions, run, target, tick)
    plan = _subject_plan(env, sweep, held_tables) if sweep.subject else None
    after: Key | None = None
    while True:
        with target.engine.connect() as conn:
            rows = target.batch(conn, run.cutoff, after, sweep.batch_size)
        if not rows:
            return []
        after = tuple(rows[-1][k] for k in target.key_columns)
        free, kept = unheld(rows, target, held, env)
        if plan is not None:
            batch = _erase_subjects(env, sessions, run, plan, target, free)
        else:
            batch = _act_on_rows(env, sessions, run, target, free)
        if kept:
            batch.held["subjects"] = batch.held.get("subjects", 0) + kept
        _count(sessions, run.id, batch, env.now())
        if tick:
            tick(len(rows))
        if batch.errors:
            return batch.errors


def _delete_batches(
    env: ExecutionEnv,
    sessions: sessionmaker[Session],
    run: RetentionRun,
    target: Target,
    tick: Tick | None,
) -> list[str]:
    """Delete expired rows batch by batch when no person's rows are held: one statement per batch.

    Each batch's rows are deleted in an open transaction, its ledger entry and count are committed in
    the store, and only then is the deletion committed. A crash before the store's commit rolls the
    deletion back; a crash after it leaves an entry whose replay deletes what may still be there.
    """
    sweep = target.sweep
    table_id = f"{sweep.system}.{sweep.table}"
    after: Key | None = None
    while True:
        try:
            with target.engine.connect() as conn, conn.begin():
                taken = target.take(conn, run.cutoff, after, sweep.batch_size)
                if taken.keys:
                    with sessions.begin() as session:
                        _ledger(session, env, run, target, taken.keys, taken.identities)
                        done = {table_id: len(taken.keys)}
                        runs.progress(session, run.id, rows=done, held={}, now=env.now())
        except ConnectorError as exc:
            return [str(exc)]
        if not taken.keys:
            return []
        after = tuple(max(taken.keys))
        if tick:
            tick(len(taken.keys))


def _ledger(
    session: Session,
    env: ExecutionEnv,
    run: RetentionRun,
    target: Target,
    keys: list[list[Any]],
    identities: dict[str, set[Any]],
) -> None:
    """Append the tombstone entry of a table rule's batch (the caller commits before the rows change)."""
    sweep = target.sweep
    tombstones.record(
        session,
        source="retention",
        ref=str(run.id),
        system=sweep.system,
        table=sweep.table,
        action="delete" if sweep.action == "delete" else "update",
        key_columns=target.key_columns,
        keys=keys,
        changes={f: "null" if sweep.action == "null" else "pseudonymise" for f in sweep.fields},
        identity_hashes=tombstones.hashes_of(identities, env.service.identity_hash),
    )


def unheld(
    rows: list[dict[str, Any]], target: Target, held: holds_mod.HoldSet, env: ExecutionEnv
) -> tuple[list[dict[str, Any]], int]:
    if not held.subjects:
        return rows, 0
    columns = target.identity_columns()
    free = [
        r
        for r in rows
        if not held.subject_reason({k: [r.get(c)] for k, c in columns.items()}, env.service.identity_hash)
    ]
    return free, len(rows) - len(free)


def _subject_plan(env: ExecutionEnv, sweep: Sweep, held_tables: dict[str, str]) -> Plan:
    plan = build_plan(env.manifest, {str(sweep.subject): "-"}, "erasure")
    # A held table keeps its rows, and so do the tables those rows point at.
    skip = {t for t in held_tables if any(p.id == t for p in plan.tables)}
    skip |= {a for t in list(skip) for a in ancestors(plan, t)}
    return replace(plan, steps=tuple(s for s in plan.steps if s.table not in skip))


def _erase_subjects(
    env: ExecutionEnv,
    sessions: sessionmaker[Session],
    run: RetentionRun,
    plan: Plan,
    target: Target,
    rows: list[dict[str, Any]],
) -> Batch:
    batch = Batch()
    column = target.identity_columns()[str(target.sweep.subject)]
    values = sorted({r[column] for r in rows if r.get(column) not in (None, "")}, key=repr)
    if not values:
        return batch
    identities = {str(target.sweep.subject): values}
    found = engine_collect.collect(plan, env.connectors, identities)
    stepped = {s.table for s in plan.steps}
    with sessions.begin() as session:
        tombstones.record_collection(
            session,
            plan,
            found,
            source="retention",
            ref=str(run.id),
            identity_hashes=tombstones.hashes_of(found.identities, env.service.identity_hash),
            skip=[t.id for t in plan.tables if t.id not in stepped],
        )
    for table in plan.tables:
        if table.id not in stepped and found.keys(table.id):
            batch.held[table.id] = batch.held.get(table.id, 0) + len(found.keys(table.id))
    result = engine_run.run_erasure(
        plan, env.connectors, env.pseudonym_key(), identities, own=found.own, prove=False
    )
    for outcome in result.steps:
        if outcome.operation == "erase":
            batch.rows[outcome.table] = batch.rows.get(outcome.table, 0) + outcome.rows
        if outcome.status != "done":
            batch.errors.append(f"{outcome.table}: {outcome.reason or outcome.status}")
    return batch


def _act_on_rows(
    env: ExecutionEnv,
    sessions: sessionmaker[Session],
    run: RetentionRun,
    target: Target,
    rows: list[dict[str, Any]],
) -> Batch:
    sweep = target.sweep
    table_id = f"{sweep.system}.{sweep.table}"
    keys = [tuple(r[k] for k in target.key_columns) for r in rows]
    if not keys:
        return Batch()
    identities = {kind: {r.get(column) for r in rows} for kind, column in target.identity_columns().items()}
    with sessions.begin() as session:
        _ledger(session, env, run, target, [list(k) for k in keys], identities)
    connector = env.connectors[sweep.system]
    match = Match(target.key_columns, tuple(keys))
    try:
        if sweep.action == "delete":
            done = target.delete(keys)
        else:
            done = connector.update(sweep.table, match, _changes(sweep, rows, env.pseudonym_key()))
    except ConnectorError as exc:
        return Batch(errors=[str(exc)])
    return Batch(rows={table_id: done})


def _changes(sweep: Sweep, rows: list[dict[str, Any]], key: bytes) -> dict[str, Change]:
    if sweep.action == "null":
        return {f: SetNull() for f in sweep.fields}
    changes: dict[str, Change] = {}
    for name in sweep.fields:
        values = {r.get(name) for r in rows} - {None}
        mapping = {
            v: v if str(v).startswith(engine_run.PSEUDONYM_PREFIX) else engine_run.pseudonym(key, v)
            for v in values
        }
        changes[name] = MapValues(tuple(sorted(mapping.items(), key=repr)))
    return changes


def _count(sessions: sessionmaker[Session], run_id: int, batch: Batch, now: datetime) -> None:
    with sessions.begin() as session:
        runs.progress(session, run_id, rows=batch.rows, held=batch.held, now=now)
