"""Console pages of the notice over time: published versions, the disclosures ledger, yearly metrics.

Read-only: versions are published with ``privacyops notice publish`` and disclosures recorded by the host
application over the API, so that each has one way in and one audit trail.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated

from fastapi import Query, Request
from fastapi.responses import HTMLResponse, Response

from privacyops.api import deps
from privacyops.console import framework
from privacyops.lifecycle import chart, disclosures, metrics, versions
from privacyops.requests import calendars, report_log

router = framework.page_router()
framework.add_nav("Notice versions", "console_notice_versions", order=40)
framework.add_nav("Disclosures", "console_disclosures", order=41)
framework.add_nav("Request metrics", "console_metrics", order=42)
LIMIT = 500


@router.get("/notice/versions", response_class=HTMLResponse)
def console_notice_versions(
    request: Request, staff: framework.Viewer, session: deps.SessionDep
) -> HTMLResponse:
    """List the published versions with their changes, material ones marked."""
    rows = versions.archive(session)
    current = versions.current(session, datetime.now(UTC).date())
    listed = [(row, versions.stored_changes(row)) for row in rows]
    return framework.render(
        request,
        staff,
        "notice_versions.html",
        {"title": "Notice versions", "versions": listed, "current_id": current.id if current else None},
    )


@router.get("/disclosures", response_class=HTMLResponse)
def console_disclosures(request: Request, staff: framework.Viewer, session: deps.SessionDep) -> HTMLResponse:
    """List the disclosures ledger, newest first, with what the last twelve months add up to."""
    today = datetime.now(UTC).date()
    recent = disclosures.recorded(session, today)
    sold_shared = sorted({(e.kind, e.letter) for e in recent if e.kind in ("sale", "share")})
    return framework.render(
        request,
        staff,
        "disclosures.html",
        {
            "title": "Disclosures",
            "rows": disclosures.listing(session)[:LIMIT],
            "sold_shared": sold_shared,
            "window_start": disclosures.window_start(today),
        },
    )


@router.get("/metrics", response_class=HTMLResponse)
def console_metrics(
    request: Request,
    staff: framework.Viewer,
    session: deps.SessionDep,
    year: Annotated[int | None, Query(ge=2000, le=2999, description="The calendar year.")] = None,
) -> HTMLResponse:
    """Show the year's request metrics (RK-3) as a chart and a table; the previous year by default."""
    shown = year or datetime.now(UTC).year - 1
    figures = metrics.yearly(session, shown)
    return framework.render(
        request,
        staff,
        "metrics.html",
        {
            "title": f"Request metrics {shown}",
            "year": shown,
            "figures": figures,
            "chart": chart.bar_chart(figures, shown),
        },
    )


@router.get("/reports/request-log.csv")
def console_request_log(
    staff: framework.Viewer,
    session: deps.SessionDep,
    since: Annotated[date | None, Query(description="First day received (YYYY-MM-DD).")] = None,
) -> Response:
    """Download the request log (RK-1, CCPA §7101): the six facts of each request, 24 months by default."""
    start = since or calendars.add_months(datetime.now(UTC).date(), -report_log.KEEP_MONTHS)
    text = report_log.to_csv(report_log.log_rows(session, start))
    headers = {"Content-Disposition": f'attachment; filename="request-log-since-{start.isoformat()}.csv"'}
    return Response(text, media_type="text/csv; charset=utf-8", headers=headers)
