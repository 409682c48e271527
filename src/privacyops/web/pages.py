"""The public pages: the privacy notice and the Global Privacy Control declaration (OS-4)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from fastapi import APIRouter, HTTPException, Request, status
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from fastapi.templating import Jinja2Templates
from sqlalchemy.orm import Session

from privacyops.api import deps
from privacyops.manifest.declared import declared
from privacyops.manifest.schema import Manifest
from privacyops.web import manifest_view

TEMPLATES_DIR = Path(__file__).with_name("templates")
STATIC_DIR = Path(__file__).with_name("static")

templates = Jinja2Templates(directory=str(TEMPLATES_DIR))
router = APIRouter(tags=["public pages"], dependencies=[deps.public()])


@router.get("/", include_in_schema=False)
def home(request: Request) -> RedirectResponse:
    """Send visitors of the bare address to the privacy center."""
    return RedirectResponse(request.url_for("privacy_notice").path, status_code=302)


@router.get("/privacy", response_class=HTMLResponse, summary="The privacy notice")
def privacy_notice(
    request: Request, manifest: deps.ManifestDep, services: deps.ServicesDep, session: deps.SessionDep
) -> HTMLResponse:
    """Show the published version in effect (else the manifest's notice), request links to our form."""
    from privacyops.lifecycle import versions
    from privacyops.web import notice_archive

    body = notice_archive.served_body(request, services, session, manifest)
    current = versions.current(session, dt.datetime.now(dt.UTC).date())
    return templates.TemplateResponse(
        request,
        "privacy.html",
        {
            "title": manifest.notice.title,
            "controller": manifest_view.controller_name(manifest),
            "body": body,
            "version": current,
        },
    )


@router.get(
    "/.well-known/gpc.json",
    summary="Global Privacy Control support (OS-4)",
    responses={404: {"description": "The manifest declares no GPC stance: support is unknown."}},
)
def gpc_declaration(manifest: deps.ManifestDep, session: deps.SessionDep) -> JSONResponse:
    """State the GPC stance the manifest declares (``signals.gpc.honoured``), dated by the notice.

    The GPC spec reads ``true`` as "we abide by the signal", ``false`` as "we do not" and a missing file
    as "support unknown"; a manifest that declares no stance is answered 404, never with a default.
    """
    honoured = gpc_stance(manifest)
    if honoured is None:
        raise HTTPException(
            status.HTTP_404_NOT_FOUND,
            detail="the manifest declares no Global Privacy Control stance; add signals: "
                   "{gpc: {honoured: true}} (or false) to publish one",
        )
    payload: dict[str, object] = {"gpc": honoured}
    date = published_date(session) or statement_date(manifest)
    if date is not None:
        payload["lastUpdate"] = date.isoformat()
    return JSONResponse(payload, headers={"Cache-Control": "public, max-age=3600"})


def gpc_stance(manifest: Manifest) -> bool | None:
    """Return the declared GPC stance, or None when the manifest leaves it to the default."""
    if not declared(manifest, ("signals", "gpc", "honoured")):
        return None
    return manifest.signals.gpc.honoured


def published_date(session: Session) -> dt.date | None:
    """Return the effective date of the published version in effect, or None before any publication."""
    from privacyops.lifecycle import versions

    current = versions.current(session, dt.datetime.now(dt.UTC).date())
    return current.effective_date if current else None


def statement_date(manifest: Manifest) -> dt.date | None:
    """Return the declared date of the notice that makes the statement: last updated, else effective.

    The spec's ``lastUpdate`` is optional; a date the manifest does not state (such as today) is left out.
    """
    for key in ("last_updated", "effective_date"):
        if declared(manifest, ("notice", key)):
            value: dt.date | None = getattr(manifest.notice, key)
            if value is not None:
                return value
    return None


def served_manifest(manifest: Manifest, form_url: str) -> Manifest:
    """Return the manifest with its request link set to the form this service serves.

    The rendered notice file keeps the company's own ``dsr_url``; the notice served here sends people
    to the form beside it, which files the request in this service.
    """
    contacts = manifest.contacts.model_copy(update={"dsr_url": form_url})
    return manifest.model_copy(update={"contacts": contacts})
