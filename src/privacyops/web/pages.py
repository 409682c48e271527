"""The public pages: the privacy notice and the Global Privacy Control declaration (OS-4)."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from fastapi.templating import Jinja2Templates

from privacyops.api import deps
from privacyops.manifest.schema import Manifest
from privacyops.notice import render
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
def privacy_notice(request: Request, manifest: deps.ManifestDep, services: deps.ServicesDep) -> HTMLResponse:
    """Show the privacy notice generated from the manifest, its request links pointing at our form."""
    cache = services.manifest.rendered
    if "notice_body_html" not in cache:
        form_url = services.settings.public_url.rstrip("/") + request.app.url_path_for("request_form")
        cache["notice_body_html"] = render.render_notice_body(served_manifest(manifest, form_url))
    return templates.TemplateResponse(
        request,
        "privacy.html",
        {
            "title": manifest.notice.title,
            "controller": manifest_view.controller_name(manifest),
            "body": cache["notice_body_html"],
        },
    )


@router.get("/.well-known/gpc.json", summary="Global Privacy Control support (OS-4)")
def gpc_declaration(manifest: deps.ManifestDep) -> JSONResponse:
    """Declare that this site honours the Global Privacy Control signal."""
    payload = {"gpc": True, "lastUpdate": manifest_view.notice_date(manifest).isoformat()}
    return JSONResponse(payload, headers={"Cache-Control": "public, max-age=3600"})


def served_manifest(manifest: Manifest, form_url: str) -> Manifest:
    """Return the manifest with its request link set to the form this service serves.

    The rendered notice file keeps the company's own ``dsr_url``; the notice served here sends people
    to the form beside it, which files the request in this service.
    """
    contacts = manifest.contacts.model_copy(update={"dsr_url": form_url})
    return manifest.model_copy(update={"contacts": contacts})
