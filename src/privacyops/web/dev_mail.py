"""The demo mailbox pages: ``/dev/mail`` and ``/dev/mail.json`` list the mail the demo kept.

They exist only in demo mode (``PRIVACYOPS_DEMO_MODE``, set by ``privacyops demo``) and answer 404
otherwise, so a production deployment never shows anyone's mail. They are left out of the OpenAPI
document: they are a convenience of the demo, not part of the API.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request, status
from fastapi.responses import HTMLResponse, JSONResponse

from privacyops.api import deps
from privacyops.requests import mailbox
from privacyops.web import pages

router = APIRouter(prefix="/dev", tags=["demo"], dependencies=[deps.public()], include_in_schema=False)
NO_STORE = {"Cache-Control": "no-store"}


def _kept_mail(services: deps.Services) -> list[dict[str, Any]]:
    if not services.settings.demo_mode:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "Not Found")
    return mailbox.messages(mailbox.folder_of(services.settings))


@router.get("/mail.json", summary="Mail kept by the demo (demo mode only)")
def demo_mail_json(services: deps.ServicesDep) -> JSONResponse:
    """Return the kept messages, newest first: a list of ``{to, subject, text, received_at}``."""
    return JSONResponse(_kept_mail(services), headers=NO_STORE)


@router.get("/mail", response_class=HTMLResponse, summary="Mail kept by the demo (demo mode only)")
def demo_mail_page(request: Request, services: deps.ServicesDep) -> HTMLResponse:
    """Show the kept messages with their text, newest first."""
    messages = _kept_mail(services)
    manifest = services.manifest.manifest
    controller = manifest.controller.legal_name if manifest is not None else "privacyops"
    return pages.templates.TemplateResponse(
        request,
        "dev_mail.html",
        {"title": "Demo mailbox", "controller": controller, "messages": messages},
        headers=NO_STORE,
    )
