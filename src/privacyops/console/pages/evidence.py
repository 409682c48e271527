"""Download an evidence file from the console: reviewers and admins only, always as an attachment."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response

from privacyops.api import deps
from privacyops.api.routes import evidence as evidence_routes
from privacyops.console import framework
from privacyops.store.models.evidence import EvidenceFile

router = framework.page_router()


@router.get("/requests/{request_id}/evidence/{file_id}")
def console_evidence_file(
    request: Request,
    request_id: str,
    file_id: deps.RowId,
    staff: framework.Reviewer,
    session: deps.SessionDep,
) -> Response:
    """Send the file's bytes as a download; an unknown file gets the console's not-found page."""
    row = session.get(EvidenceFile, file_id)
    if row is None or row.request_id != request_id:
        why = "This request has no evidence file with that number; see the request's page."
        return framework.render(
            request, staff, "denied.html", {"title": "No such file", "why": why}, status_code=404
        )
    return evidence_routes.attachment(row)
