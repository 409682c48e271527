"""The console's front page: what needs attention now."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse

from privacyops.console import framework

router = framework.page_router()


@router.get("/", response_class=HTMLResponse)
def console_home(request: Request, staff: framework.Viewer) -> HTMLResponse:
    """Show the console's start page."""
    return framework.render(request, staff, "home.html", {"title": "Console"})
