"""The recipient work queue: open tasks per recipient, the message to send, and closing with evidence."""

from __future__ import annotations

from collections import Counter
from typing import Annotated

import sqlalchemy as sa
from fastapi import File, Form, Query, Request, UploadFile, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from privacyops.api import deps
from privacyops.api.routes import evidence as evidence_routes
from privacyops.api.routes import recipient_tasks
from privacyops.api.routes import recipient_tasks_bulk as bulk
from privacyops.console import framework, recipient_message
from privacyops.console.users import Staff
from privacyops.execution import evidence_files, fanout
from privacyops.requests import records
from privacyops.store.models.execution import RecipientTask

router = framework.page_router()
framework.add_nav("Recipient tasks", "console_tasks", order=20)
framework.add_message("task-closed", "Task closed.")
framework.add_message("tasks-closed", "The ticked tasks are closed.")
CLOSED = sorted(state.value for state in fanout.TERMINAL)
LIMIT = 200


@router.get("/tasks", response_class=HTMLResponse)
def console_tasks(
    request: Request,
    staff: framework.Viewer,
    session: deps.SessionDep,
    recipient: str = "",
    request_id: Annotated[str, Query(alias="request", max_length=32)] = "",
) -> HTMLResponse:
    """List open recipient tasks, oldest first, optionally of one recipient or one request."""
    return _queue_page(request, staff, session, recipient, request_id)


def _queue_page(
    request: Request,
    staff: Staff,
    session: Session,
    recipient: str,
    request_id: str,
    *,
    error: str = "",
    code: int = 200,
) -> HTMLResponse:
    query = sa.select(RecipientTask).where(RecipientTask.state.not_in(CLOSED))
    counts = Counter(session.scalars(query.with_only_columns(RecipientTask.recipient)))
    if recipient:
        query = query.where(RecipientTask.recipient == recipient)
    if request_id:
        query = query.where(RecipientTask.request_id == request_id)
    tasks = session.scalars(query.order_by(RecipientTask.created_at, RecipientTask.id).limit(LIMIT)).all()
    return framework.render(
        request,
        staff,
        "tasks.html",
        {
            "title": "Recipient tasks",
            "tasks": tasks,
            "counts": sorted(counts.items()),
            "recipient": recipient,
            "request_filter": request_id,
            "error": error,
        },
        status_code=code,
    )


@router.post("/tasks/close")
def console_close_tasks(
    request: Request,
    staff: framework.ReviewerAction,
    session: deps.SessionDep,
    services: deps.ServicesDep,
    task: Annotated[list[int], Form()] = [],  # noqa: B006 - FastAPI copies a form default
    state: Annotated[str, Form()] = "",
    evidence: Annotated[str, Form()] = "",
    recipient: Annotated[str, Form()] = "",
    request_id: Annotated[str, Form(alias="request")] = "",
) -> Response:
    """Close the ticked tasks (of one recipient, or of one request) with one note, each audited."""
    error = "task: tick the tasks the recipient answered for" if not task else ""
    if not error:
        try:
            bulk.close_many(session, services, task, state=state, evidence=evidence, actor=staff.actor)
        except bulk.BulkRejected as exc:
            error = str(exc)
        except fanout.TaskRuleError as exc:
            error = f"evidence: {exc}"
    if error:
        session.rollback()
        code = status.HTTP_422_UNPROCESSABLE_CONTENT
        return _queue_page(request, staff, session, recipient, request_id[:32], error=error, code=code)
    target = request.url_for("console_tasks").path
    return RedirectResponse(f"{target}?done=tasks-closed", status_code=status.HTTP_303_SEE_OTHER)


@router.get("/tasks/{task_id}", response_class=HTMLResponse)
def console_task(
    request: Request,
    task_id: deps.RowId,
    staff: framework.Viewer,
    session: deps.SessionDep,
    services: deps.ServicesDep,
) -> HTMLResponse:
    """Show one task: the message to send the recipient and, for reviewers, the form to close it."""
    task = session.get(RecipientTask, task_id)
    if task is None:
        return framework.render(
            request,
            staff,
            "denied.html",
            {
                "title": "No such task",
                "why": "No recipient task has that number; see the work queue.",
            },
            status_code=404,
        )
    return _task_page(request, staff, session, services, task)


def _task_page(
    request: Request,
    staff: Staff,
    session: Session,
    services: deps.Services,
    task: RecipientTask,
    *,
    error: str = "",
    code: int = 200,
) -> HTMLResponse:
    reveal = framework.can(staff, "reviewer")
    identities = [
        (i.kind, i.value if reveal else None) for i in records.identities_of(session, task.request_id)
    ]
    controller = framework.controller_name(services)
    message = recipient_message.compose(task, services.manifest.manifest, identities, controller)
    return framework.render(
        request,
        staff,
        "task.html",
        {
            "title": f"Task: {task.recipient}",
            "task": task,
            "message": message,
            "error": error,
            "closed": task.state in CLOSED,
            "files": [f for f in evidence_files.files_of(session, task.request_id) if f.task_id == task.id],
        },
        status_code=code,
    )


@router.post("/tasks/{task_id}/close")
def console_close_task(
    request: Request,
    task_id: deps.RowId,
    staff: framework.ReviewerAction,
    session: deps.SessionDep,
    services: deps.ServicesDep,
    state: Annotated[str, Form()] = "",
    evidence: Annotated[str, Form()] = "",
    file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    """Close the task as done (with what the recipient confirmed) or impossible (with why).

    A file attached to the form (the recipient's confirmation) is kept with the task in the same
    transaction: a file refused leaves the task open.
    """
    task = session.get(RecipientTask, task_id)
    if task is None:
        return RedirectResponse(request.url_for("console_tasks").path, status_code=status.HTTP_303_SEE_OTHER)
    error, code = "", status.HTTP_422_UNPROCESSABLE_CONTENT
    try:
        if file is not None and file.filename:
            limit = services.settings.evidence_max_bytes
            evidence_files.attach(
                session,
                request_id=task.request_id,
                task_id=task.id,
                kind="recipient_confirmation",
                upload=evidence_routes.read_upload(file, limit),
                actor=staff.actor,
                limit=limit,
            )
        recipient_tasks.close_and_resume(
            session, services, task_id, state=state, evidence=evidence, actor=staff.actor
        )
    except evidence_files.EvidenceRejected as exc:
        error, code = str(exc), exc.status_code
    except fanout.TaskRuleError as exc:
        error = f"evidence: {exc}"
    if error:
        session.rollback()
        task = session.get(RecipientTask, task_id)
        assert task is not None
        return _task_page(request, staff, session, services, task, error=error, code=code)
    target = request.url_for("console_tasks").path
    return RedirectResponse(f"{target}?done=task-closed", status_code=status.HTTP_303_SEE_OTHER)
