"""The console's answers when someone may not go on: sign in, role too low, form expired."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response

from privacyops.console import framework


def install(app: FastAPI) -> None:
    """Register the console's exception handlers on ``app``."""
    app.add_exception_handler(framework.SignInRequired, sign_in_required)
    app.add_exception_handler(framework.RoleRequired, role_required)
    app.add_exception_handler(framework.CsrfRejected, csrf_rejected)


async def sign_in_required(request: Request, _exc: Exception) -> Response:
    """Send a page view to the sign-in form (back here after); refuse an action with 401."""
    if request.method in ("GET", "HEAD"):
        query = urlencode({"next": request.url.path})
        return RedirectResponse(f"{framework.PREFIX}/sign-in?{query}", status_code=303)
    return framework.render(
        request,
        None,
        "denied.html",
        {
            "title": "Sign in again",
            "why": "Your session has ended, so this was not done. Sign in and try again.",
        },
        status_code=401,
    )


async def role_required(request: Request, exc: Exception) -> Response:
    """Answer 403 naming the role the page or action needs."""
    assert isinstance(exc, framework.RoleRequired)
    return framework.render(
        request,
        exc.staff,
        "denied.html",
        {
            "title": "Not allowed",
            "why": f"This needs the {exc.role} role; you are signed in as {exc.staff.role}. "
            "Ask an admin to change your role.",
        },
        status_code=403,
    )


async def csrf_rejected(request: Request, exc: Exception) -> Response:
    """Answer 403 when a form lacks its CSRF token (an old tab, or another site posting)."""
    assert isinstance(exc, framework.CsrfRejected)
    return framework.render(
        request,
        exc.staff,
        "denied.html",
        {
            "title": "Form expired",
            "why": "This form was not sent from a current console page, so nothing was changed. "
            "Reload the page and try again.",
        },
        status_code=403,
    )
