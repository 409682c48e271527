"""Close several recipient tasks with one evidence note: one recipient's tasks, or all of one request.

A recipient often answers for many requests in one e-mail ("we deleted these five accounts"). Each task
is still closed, and audited, on its own; the selection must be of one recipient or of one request, so
that one note never speaks for recipients that did not write it.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Annotated, Literal

import sqlalchemy as sa
from fastapi import APIRouter, HTTPException, status
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from privacyops.api import deps
from privacyops.api.routes.recipient_tasks import RUN_REQUEST, RecipientTaskOut
from privacyops.execution import fanout
from privacyops.field_errors import FieldError
from privacyops.store.models.execution import RecipientTask

log = logging.getLogger(__name__)
router = APIRouter(prefix="/api/v1/recipient-tasks", tags=["recipient tasks"])
Reviewer = Annotated[deps.Principal, deps.require_role("reviewer")]
MAX_TASKS = 500


class BulkRejected(FieldError):
    """The selection cannot be closed together; ``field`` names what to change."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message, field=field)


class BulkCloseIn(BaseModel):
    """Which tasks, and the recipient's answer that holds for all of them."""

    task_ids: list[Annotated[int, Field(ge=1, le=2**31 - 1)]] = Field(
        min_length=1, max_length=MAX_TASKS, description="Open tasks of one recipient, or of one request."
    )
    state: Literal["done", "impossible"]
    evidence: str = Field(
        min_length=1, max_length=5000, description="What the recipient confirmed, or why it cannot act."
    )


def selected(session: Session, task_ids: Sequence[int]) -> list[RecipientTask]:
    """Return the chosen tasks, or raise ``BulkRejected`` unless they share a recipient or a request."""
    wanted = set(task_ids)
    tasks = list(
        session.scalars(
            sa.select(RecipientTask).where(RecipientTask.id.in_(wanted)).order_by(RecipientTask.id)
        )
    )
    missing = sorted(wanted - {t.id for t in tasks})
    if missing:
        raise BulkRejected("task_ids", f"no recipient task has id {missing[0]}; reload the work queue")
    if len({t.recipient for t in tasks}) > 1 and len({t.request_id for t in tasks}) > 1:
        raise BulkRejected(
            "task_ids",
            "choose tasks of one recipient, or all tasks of one request: one "
            "note cannot answer for several recipients on several requests",
        )
    return tasks


def close_many(
    session: Session,
    services: deps.Services,
    task_ids: Sequence[int],
    *,
    state: str,
    evidence: str,
    actor: str,
) -> list[RecipientTask]:
    """Close each task (each audited), commit once, then resume every request left with no open task.

    Raises ``BulkRejected`` or ``fanout.TaskRuleError`` with nothing committed.
    """
    now = datetime.now(UTC)
    tasks = [
        fanout.close_task(session, task.id, state=state, actor=actor, evidence=evidence, now=now)
        for task in selected(session, task_ids)
    ]
    session.commit()
    for request_id in sorted({t.request_id for t in tasks}):
        if fanout.all_terminal(fanout.tasks_of(session, request_id)):
            try:
                services.queue.enqueue(RUN_REQUEST, request_id)
            except Exception as exc:  # noqa: BLE001 - the reconciler resumes waiting runs
                log.warning("could not queue %s: %s", RUN_REQUEST, type(exc).__name__)
    return tasks


@router.post(
    "/close",
    summary="Close several recipient tasks with one evidence note",
    responses={422: {"description": "Unknown task ids, or tasks of several recipients and requests."}},
)
def close_tasks(
    body: BulkCloseIn, who: Reviewer, session: deps.SessionDep, services: deps.ServicesDep
) -> list[RecipientTaskOut]:
    """Close the tasks (already closed ones stay as they were); each closing is its own audit event."""
    try:
        tasks = close_many(
            session, services, body.task_ids, state=body.state, evidence=body.evidence, actor=who.name
        )
    except fanout.TaskRuleError as exc:
        session.rollback()
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT, detail={"field": "evidence", "rule": str(exc)}
        ) from None
    return [RecipientTaskOut.of(task) for task in tasks]
