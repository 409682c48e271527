"""The dashboard: requests per week by type, median days to respond, on-time rate, overdue count."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import Request
from fastapi.responses import HTMLResponse

from privacyops.api import deps
from privacyops.console import charts, framework, stats

router = framework.page_router()
framework.add_nav("Dashboard", "console_dashboard", order=5)


@router.get("/dashboard", response_class=HTMLResponse)
def console_dashboard(request: Request, staff: framework.Viewer, session: deps.SessionDep) -> HTMLResponse:
    """Show the figures and the weekly chart."""
    figures = stats.figures(session, datetime.now(UTC).date())
    chart = charts.stacked_bars(figures.weeks, figures.per_week)
    return framework.render(
        request, staff, "dashboard.html", {"title": "Dashboard", "figures": figures, "chart": chart}
    )
