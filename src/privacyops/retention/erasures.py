"""What an erasure request asks of retention: the holds that keep some of its tables, and its tombstones.

The step that collects the subject reads the holds in force in its own transaction and stores the held
tables with the run; each erase step then leaves a held table untouched and says so in the request's
answer (ER-2), and a table it erased goes to the tombstone ledger for a replay after a restore (ER-3).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from privacyops.engine.plan import Plan
from privacyops.execution.erasure import ancestors
from privacyops.manifest.schema import Manifest
from privacyops.retention import holds, tombstones

SUBJECT_KEY = "retention_holds"


def held_tables(
    session: Session, manifest: Manifest, plan: Plan, identity_hashes: Iterable[str], now: datetime
) -> dict[str, str]:
    """Return the plan's tables a hold keeps (table id -> reason code); every table if the subject is held."""
    found = holds.in_force(session, now)
    subject_reason = next((found.subjects[h] for h in identity_hashes if h in found.subjects), None)
    if subject_reason:
        return {t.id: subject_reason for t in plan.tables}
    in_plan = {t.id for t in plan.tables}
    held = {t: r for t, r in found.held_tables(manifest).items() if t in in_plan}
    # The rows a kept table points at stay too, or its references would dangle.
    for table_id, reason in list(held.items()):
        for parent in ancestors(plan, table_id):
            held.setdefault(parent, reason)
    return held


def held_entry(subject: Mapping[str, Any], table_id: str) -> dict[str, Any] | None:
    """Return the answer's entry for a table a legal hold kept, or None when it is not held."""
    reason = (subject.get(SUBJECT_KEY) or {}).get(table_id)
    if reason is None:
        return None
    rows = (subject.get("found") or {}).get(table_id, 0)
    return {"rows": rows, "hold": reason, "reason": f"legal hold ({reason})"}


def record_erased(
    session: Session,
    plan: Plan,
    table_id: str,
    subject: Mapping[str, Any],
    *,
    request_id: str,
    identity_hashes: Iterable[str],
) -> None:
    """Append the rows an erase step removed or changed to the tombstone ledger."""
    table = plan.table(table_id)
    keys = [tuple(k) for k in (subject.get("keys") or {}).get(table_id, [])]
    if table.row_action == "delete":
        action, changes = "delete", {}
    else:
        changes = {
            a.field: a.action
            for a in table.field_actions
            if a.action in (*tombstones.NULLING, "pseudonymise", "redact")
        }
        if not changes:
            return
        action = "update"
    tombstones.record(
        session,
        source="erasure",
        ref=request_id,
        system=table.system,
        table=table.table,
        action=action,
        key_columns=table.key,
        keys=keys,
        changes=changes,
        identity_hashes=identity_hashes,
    )
