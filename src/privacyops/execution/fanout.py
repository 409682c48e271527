"""Recipient tasks: one per subprocessor holding the categories concerned (ER-1, PC-3, RR-1, Art. 19)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Session

from privacyops.audit import chain
from privacyops.engine.plan import Plan
from privacyops.manifest.schema import Manifest, Subprocessor
from privacyops.store.models.execution import RecipientTask

ENTITY = "recipient_task"


class TaskState(StrEnum):
    OPEN = "open"
    DONE = "done"
    IMPOSSIBLE = "impossible"  # recorded why the recipient cannot act (ER-1 allows it with a reason)
    FAILED = "failed"


TERMINAL = frozenset({TaskState.DONE, TaskState.IMPOSSIBLE})


class TaskRuleError(ValueError):
    """A recipient task cannot be closed that way; the message says what to change."""


def concerns(held: Iterable[str], wanted: Iterable[str]) -> list[str]:
    """Return the categories in `wanted` the recipient holds, counting parents and children as matches."""
    held = list(held)

    def related(a: str, b: str) -> bool:
        return a == b or a.startswith(b + ".") or b.startswith(a + ".")

    return sorted({w for w in wanted if any(related(w, h) for h in held)})


def plan_categories(manifest: Manifest, plan: Plan) -> list[str]:
    """Return the data categories of every declared field in the tables the plan reaches."""
    found: set[str] = set()
    for table in plan.tables:
        spec = manifest.systems[table.system].tables[table.table]
        found |= spec.categories()
    return sorted(found)


def recipients_for(manifest: Manifest, categories: Iterable[str]) -> list[tuple[Subprocessor, list[str]]]:
    """Return each subprocessor that holds some of the categories, with the ones it holds."""
    wanted = list(categories)
    chosen = []
    for processor in manifest.subprocessors:
        shared = concerns(processor.categories, wanted)
        if shared:
            chosen.append((processor, shared))
    return chosen


def create_tasks(session: Session, request_id: str, action: str,
                 chosen: list[tuple[Subprocessor, list[str]]], now: datetime) -> int:
    """Add one open task per recipient (again after a crash: existing ones are left as they are)."""
    existing = {(t.recipient, t.service) for t in tasks_of(session, request_id)}
    added = 0
    for processor, categories in chosen:
        if (processor.name, processor.service) in existing:
            continue
        channel = f"connector:{processor.erasure.connector}" if processor.erasure else "manual"
        session.add(RecipientTask(request_id=request_id, recipient=processor.name, service=processor.service,
                                  action=action, categories=categories, channel=channel,
                                  state=TaskState.OPEN.value, attempts=0, created_at=now))
        existing.add((processor.name, processor.service))
        added += 1
    session.flush()
    return added


def tasks_of(session: Session, request_id: str) -> list[RecipientTask]:
    """Return a request's recipient tasks in the order they were created."""
    query = sa.select(RecipientTask).where(RecipientTask.request_id == request_id)
    return list(session.execute(query.order_by(RecipientTask.id)).scalars())


def all_terminal(tasks: Iterable[RecipientTask]) -> bool:
    """Tell whether every task is done or recorded as impossible."""
    return all(t.state in TERMINAL for t in tasks)


def close_task(session: Session, task_id: int, *, state: str, actor: str, evidence: str,
               now: datetime) -> RecipientTask:
    """Close a task as done (with evidence) or impossible (with the reason), in the audit chain too."""
    task = session.get(RecipientTask, task_id)
    if task is None:
        raise TaskRuleError(f"no recipient task with id {task_id}")
    try:
        target = TaskState(state)
    except ValueError:
        raise TaskRuleError(f"state {state!r} is not one of: done, impossible") from None
    if target not in TERMINAL:
        raise TaskRuleError("a task is closed as done or impossible")
    if not evidence.strip():
        raise TaskRuleError("say what the recipient confirmed (done) or why it cannot act (impossible)")
    if task.state in TERMINAL:
        return task  # closing twice changes nothing
    task.state, task.closed_at, task.closed_by = target.value, now, actor
    task.evidence = evidence.strip() if target is TaskState.DONE else None
    task.reason = evidence.strip() if target is TaskState.IMPOSSIBLE else task.reason
    chain.append(session, actor=actor, action=f"recipient_task.{target.value}", entity=ENTITY,
                 entity_id=str(task.id), data={"request": task.request_id, "recipient": task.recipient})
    session.flush()
    return task


def summary(tasks: Iterable[RecipientTask]) -> list[dict[str, object]]:
    """Describe the tasks for the outcome: recipient, action, state and, when impossible, why."""
    return [{"recipient": t.recipient, "service": t.service, "action": t.action, "state": t.state,
             "categories": list(t.categories), "reason": t.reason} for t in tasks]
