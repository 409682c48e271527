"""One-click unsubscribe for marketing mail (MK-1, RFC 8058): GET shows a page, POST unsubscribes.

The link's opaque signed token is all the authority needed: no cookie, no sign-in, no verification (a
marketing opt-out is everyone's right). POST is idempotent and answers 200 itself, never a redirect;
GET changes nothing, so a mail scanner following the link unsubscribes no one.
"""

from __future__ import annotations

from fastapi import APIRouter, Request, status
from fastapi.responses import HTMLResponse

from privacyops.api import deps
from privacyops.consent import links as tokens
from privacyops.consent import marketing, service
from privacyops.web.pages import templates

router = APIRouter(tags=["marketing"], dependencies=[deps.public()])


def _page(
    request: Request, *, what: str = "", done: bool = False, problem: str | None = None
) -> HTMLResponse:
    # A link we did not sign, or one past its time, names no subscription: 404 with the reason shown.
    code = status.HTTP_404_NOT_FOUND if problem else status.HTTP_200_OK
    return templates.TemplateResponse(
        request,
        "consent_unsubscribe.html",
        {"title": "Unsubscribe", "what": what, "done": done, "problem": problem},
        status_code=code,
        headers={"Cache-Control": "no-store"},
    )


def _read(services: deps.Services, token: str) -> tokens.Unsubscribe:
    return tokens.read(service.identity_key(services.settings), token, now=service.now())


def _what(found: tokens.Unsubscribe) -> str:
    return f"the {found.list_name!r} mailing list" if found.list_name else "all our marketing email"


@router.get("/consent/unsubscribe/{token}", response_class=HTMLResponse, summary="Confirm an unsubscription")
def unsubscribe_page(request: Request, token: str, services: deps.ServicesDep) -> HTMLResponse:
    """Show what the link would unsubscribe from, with a button; nothing is recorded."""
    try:
        found = _read(services, token)
    except tokens.BadToken as exc:
        return _page(request, problem=exc.message)
    return _page(request, what=_what(found))


@router.post("/consent/unsubscribe/{token}", response_class=HTMLResponse, summary="One-click unsubscribe")
def unsubscribe(
    request: Request,
    token: str,
    services: deps.ServicesDep,
    session: deps.SessionDep,
    manifest: deps.ManifestDep,
) -> HTMLResponse:
    """Unsubscribe the link's subject from its list; again, it changes nothing and still answers 200."""
    try:
        found = _read(services, token)
    except tokens.BadToken as exc:
        return _page(request, problem=exc.message)
    marketing.unsubscribe(session, manifest, found, now=service.now())
    session.commit()
    return _page(request, what=_what(found), done=True)
