"""Recipient tasks over HTTP: the subprocessors told to act on a request, and closing them with evidence.

An erasure, correction or restriction that reaches data a subprocessor holds opens one task per
recipient; the request completes only when every task is done or recorded as impossible. Reviewers close
them here; closing the last one resumes the waiting run at once (the reconciler would within a minute).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, status
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from privacyops import jobs
from privacyops.api import deps
from privacyops.execution import fanout
from privacyops.requests import records
from privacyops.store.models.execution import RecipientTask

log = logging.getLogger(__name__)

router = APIRouter(prefix="/api/v1/requests", tags=["recipient tasks"])
(RUN_REQUEST,) = jobs.needs("execution_run_request")

Reviewer = Annotated[deps.Principal, deps.require_role("reviewer")]
Viewer = Annotated[deps.Principal, deps.require_role("viewer")]


class RecipientTaskOut(BaseModel):
    """One recipient's task: what it must do, for which categories, and where it stands."""

    id: int
    recipient: str
    service: str
    action: str
    categories: list[str]
    channel: str
    state: str
    evidence: str | None
    reason: str | None
    closed_by: str | None
    created_at: datetime
    closed_at: datetime | None

    @classmethod
    def of(cls, task: RecipientTask) -> RecipientTaskOut:
        return cls(id=task.id, recipient=task.recipient, service=task.service, action=task.action,
                   categories=list(task.categories), channel=task.channel, state=task.state,
                   evidence=task.evidence, reason=task.reason, closed_by=task.closed_by,
                   created_at=task.created_at, closed_at=task.closed_at)


class CloseTaskIn(BaseModel):
    """How the recipient answered: done (with what it confirmed) or impossible (with why)."""

    state: Literal["done", "impossible"]
    evidence: str = Field(min_length=1, max_length=5000,
                          description="What the recipient confirmed, or why it cannot act.")


def _task_of(session: Session, request_id: str, task_id: int) -> RecipientTask:
    task = session.get(RecipientTask, task_id)
    if task is None or task.request_id != request_id:
        raise HTTPException(status.HTTP_404_NOT_FOUND,
                            detail={"field": "task_id", "rule": "this request has no task with that id"})
    return task


@router.get("/{request_id}/tasks", summary="List a request's recipient tasks")
def list_tasks(request_id: str, _who: Viewer, session: deps.SessionDep) -> list[RecipientTaskOut]:
    """Every recipient told to act on the request, in the order the tasks were opened."""
    try:
        records.get_request(session, request_id)
    except records.RequestNotFound as exc:
        detail = {"field": exc.field, "rule": exc.message}
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=detail) from None
    return [RecipientTaskOut.of(task) for task in fanout.tasks_of(session, request_id)]


@router.post("/{request_id}/tasks/{task_id}/close", summary="Close a recipient task with evidence")
def close_task(request_id: str, task_id: deps.RowId, body: CloseTaskIn, who: Reviewer,
               session: deps.SessionDep, services: deps.ServicesDep) -> RecipientTaskOut:
    """Record the recipient's answer; the request's waiting run resumes when all tasks are closed."""
    _task_of(session, request_id, task_id)
    try:
        task = close_and_resume(session, services, task_id, state=body.state, evidence=body.evidence,
                                actor=who.name)
    except fanout.TaskRuleError as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT,
                            detail={"field": "state", "rule": str(exc)}) from None
    return RecipientTaskOut.of(task)


def close_and_resume(session: Session, services: deps.Services, task_id: int, *, state: str, evidence: str,
                     actor: str) -> RecipientTask:
    """Close a task and commit; when it was the request's last open one, queue the waiting run at once.

    Raises ``fanout.TaskRuleError`` (nothing committed) for a wrong state or a missing evidence note.
    """
    task = fanout.close_task(session, task_id, state=state, actor=actor, evidence=evidence,
                             now=datetime.now(UTC))
    session.commit()
    if fanout.all_terminal(fanout.tasks_of(session, task.request_id)):
        try:
            services.queue.enqueue(RUN_REQUEST, task.request_id)
        except Exception as exc:  # noqa: BLE001 - the reconciler resumes waiting runs
            log.warning("could not queue %s: %s", RUN_REQUEST, type(exc).__name__)
    return task
