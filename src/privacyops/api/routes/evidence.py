"""Evidence files over HTTP: upload a recipient's confirmation to its task, list and download them.

Uploads are multipart (one ``file`` field); a file too large answers 413 and one whose first bytes do
not match its name answers 422, both naming the ``file`` field. Downloads are for reviewers and admins,
always as an attachment, so a browser never renders an uploaded file in the service's origin.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import PurePath
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, File, HTTPException, UploadFile, status
from fastapi.responses import Response
from pydantic import BaseModel
from sqlalchemy.orm import Session

from privacyops.api import deps
from privacyops.execution import evidence_files
from privacyops.requests import records
from privacyops.store.models.evidence import EvidenceFile
from privacyops.store.models.execution import RecipientTask

router = APIRouter(prefix="/api/v1/requests", tags=["recipient tasks"])
Reviewer = Annotated[deps.Principal, deps.require_role("reviewer")]
DOWNLOAD_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "sandbox; default-src 'none'",
    "Cache-Control": "no-store",
}


class EvidenceOut(BaseModel):
    """One evidence file, without its bytes (download them from ``download``)."""

    id: int
    request_id: str
    task_id: int | None
    kind: str
    file_name: str
    content_type: str
    size: int
    sha256: str
    uploaded_by: str
    uploaded_at: datetime
    download: str

    @classmethod
    def of(cls, row: EvidenceFile) -> EvidenceOut:
        return cls(
            id=row.id,
            request_id=row.request_id,
            task_id=row.task_id,
            kind=row.kind,
            file_name=row.file_name,
            content_type=row.content_type,
            size=row.size,
            sha256=row.sha256,
            uploaded_by=row.uploaded_by,
            uploaded_at=row.uploaded_at,
            download=f"/api/v1/requests/{row.request_id}/evidence/{row.id}",
        )


def read_upload(file: UploadFile, limit: int) -> evidence_files.Upload:
    """Read at most one byte past the limit: enough to tell a file is too large without keeping it."""
    return evidence_files.Upload(file.filename or "", file.file.read(limit + 1))


def _task(session: Session, request_id: str, task_id: int) -> RecipientTask:
    task = session.get(RecipientTask, task_id)
    if task is None or task.request_id != request_id:
        raise HTTPException(
            status.HTTP_404_NOT_FOUND,
            detail={"field": "task_id", "rule": "this request has no task with that id"},
        )
    return task


@router.post(
    "/{request_id}/tasks/{task_id}/evidence",
    summary="Attach a recipient's confirmation to its task",
    status_code=status.HTTP_201_CREATED,
    responses={
        404: {"description": "The request has no task with that id."},
        413: {"description": "The file is larger than PRIVACYOPS_EVIDENCE_MAX_BYTES (field `file`)."},
        422: {"description": "The file's contents are not a .eml, .pdf, .png or .txt as named (`file`)."},
    },
)
def upload_evidence(
    request_id: str,
    task_id: deps.RowId,
    file: Annotated[UploadFile, File(description="The confirmation: a .eml, .pdf, .png or .txt file.")],
    who: Reviewer,
    session: deps.SessionDep,
    services: deps.ServicesDep,
) -> EvidenceOut:
    """Keep the file sealed beside the task; the audit chain records its name's hash and its size."""
    task = _task(session, request_id, task_id)
    limit = services.settings.evidence_max_bytes
    upload = read_upload(file, limit)
    row = evidence_files.attach(
        session,
        request_id=request_id,
        task_id=task.id,
        kind="recipient_confirmation",
        upload=upload,
        actor=who.name,
        limit=limit,
    )
    session.commit()
    return EvidenceOut.of(row)


@router.get("/{request_id}/evidence", summary="List a request's evidence files")
def list_evidence(request_id: str, _who: Reviewer, session: deps.SessionDep) -> list[EvidenceOut]:
    """Every file uploaded for the request or its tasks, oldest first."""
    try:
        records.get_request(session, request_id)
    except records.RequestNotFound as exc:
        raise HTTPException(
            status.HTTP_404_NOT_FOUND, detail={"field": exc.field, "rule": exc.message}
        ) from None
    return [EvidenceOut.of(row) for row in evidence_files.files_of(session, request_id)]


@router.get(
    "/{request_id}/evidence/{file_id}",
    summary="Download an evidence file",
    response_class=Response,
    responses={
        200: {"content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}},
        404: {"description": "The request has no evidence file with that id."},
    },
)
def download_evidence(
    request_id: str, file_id: deps.RowId, _who: Reviewer, session: deps.SessionDep
) -> Response:
    """Send the file as an attachment (never shown inline)."""
    row = session.get(EvidenceFile, file_id)
    if row is None or row.request_id != request_id:
        raise HTTPException(
            status.HTTP_404_NOT_FOUND,
            detail={"field": "file_id", "rule": "this request has no evidence file with that id"},
        )
    return attachment(row)


def attachment(row: EvidenceFile) -> Response:
    """Answer with the file's bytes as a download, whatever its type."""
    fallback = f"evidence-{row.id}{PurePath(row.file_name).suffix}"
    disposition = f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(row.file_name)}"
    return Response(
        row.content,
        media_type="application/octet-stream",
        headers={**DOWNLOAD_HEADERS, "Content-Disposition": disposition},
    )
