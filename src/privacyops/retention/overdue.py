"""Overdue data (ER-4): rows still present after their rule's period plus a grace for the sweep to run.

A terminated account must be gone a month after termination; the hourly sweep removes it as soon as it
falls due, so anything older than due + grace means the sweep is not running or is failing. Rows a
hold keeps are not overdue: the hold is their reason.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from privacyops.connectors.base import ConnectorError
from privacyops.execution.env import ExecutionEnv
from privacyops.retention import holds as holds_mod
from privacyops.retention import runs
from privacyops.retention import sweep as sweep_mod
from privacyops.retention.periods import Period, cutoff, due
from privacyops.retention.targets import Target, as_utc

GRACE = timedelta(days=1)
# Counting rows one by one against subject holds stops here; beyond it the count is a lower bound.
HELD_SCAN_LIMIT = 10_000


def overdue(
    env: ExecutionEnv,
    sessions: sessionmaker[Session],
    *,
    grace: timedelta = GRACE,
    now: datetime | None = None,
) -> list[dict[str, Any]]:
    """Return one item per rule with overdue rows: rule, table, count, oldest start, due date."""
    now = now or env.now()
    with sessions() as session:
        held = holds_mod.in_force(session, now)
    items = []
    for rule in sweep_mod.sweep_rules(env):
        item = _rule_item(env, rule, held, now - grace)
        if item is not None:
            items.append(item)
    return items


def _rule_item(
    env: ExecutionEnv, rule: Any, held: holds_mod.HoldSet, moment: datetime
) -> dict[str, Any] | None:
    sweep = rule.sweep
    table_id = f"{sweep.system}.{sweep.table}"
    if sweep.subject is None and table_id in held.held_tables(env.manifest):
        return None
    period = Period.parse(rule.period)
    limit = cutoff(moment, period)
    try:
        target = sweep_mod.target_of(env, sweep)
        with target.engine.connect() as conn:
            summary = target.summary(conn, limit)
            count = summary["count"]
            if count and held.subjects:
                count = _unheld_count(env, target, held, conn, limit)
    except ConnectorError as exc:
        return {"rule": rule.name, "table": table_id, "count": None, "error": str(exc)}
    if not count:
        return None
    oldest = summary["oldest"]
    due_at = due(as_utc(oldest), period).isoformat() if oldest else None
    return {"rule": rule.name, "table": table_id, "count": count, "oldest": oldest, "due": due_at}


def _unheld_count(
    env: ExecutionEnv, target: Target, held: holds_mod.HoldSet, conn: Any, limit: datetime
) -> int:
    count, after, seen = 0, None, 0
    while seen < HELD_SCAN_LIMIT:
        rows = target.batch(conn, limit, after, 1000)
        if not rows:
            break
        seen += len(rows)
        after = tuple(rows[-1][k] for k in target.key_columns)
        free, _ = sweep_mod.unheld(rows, target, held, env)
        count += len(free)
    return count


def with_runs(session: Session, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Add each item's last run of its rule (status and when it finished)."""
    for item in items:
        last = runs.recent(session, rule=item["rule"], limit=1)
        item["last_run"] = runs.describe(last[0]) if last else None
    return items
