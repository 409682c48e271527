"""Yearly request metrics (RK-3, CCPA regulations §7102): per request type, counts and days to respond.

For each of the law's five types (know, delete, correct, opt-out, limit) and the requests received in
the calendar year: how many were received, complied with in whole or in part, and denied (a deemed
refusal counts as denied), and the median and mean number of calendar days from receipt to the
response of those answered. Requests still open, cancelled or passed on are received but neither.
"""

from __future__ import annotations

import csv
import io
import json
import statistics
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from privacyops.requests.states import RequestState
from privacyops.store.models.requests import SubjectRequest

# The law's request types and the request types of this service that exercise each.
GROUPS: dict[str, tuple[str, ...]] = {
    "know": ("access", "portability"),
    "delete": ("erasure", "account_deletion"),
    "correct": ("rectification",),
    "opt-out": ("opt_out_sale_share",),
    "limit": ("limit_sensitive",),
}
COMPLIED = frozenset({RequestState.COMPLETED, RequestState.PARTIALLY_COMPLETED})
DENIED = frozenset({RequestState.DENIED, RequestState.DEEMED_REFUSAL})
COLUMNS = ("type", "received", "complied", "denied", "median_days", "mean_days")


@dataclass(frozen=True)
class TypeMetrics:
    """The year's figures for one of the law's request types."""

    type: str
    received: int
    complied: int
    denied: int
    median_days: float | None
    mean_days: float | None


def yearly(session: Session, year: int) -> list[TypeMetrics]:
    """Return the figures of every type for requests received in ``year`` (UTC), in the law's order."""
    start, end = datetime(year, 1, 1, tzinfo=UTC), datetime(year + 1, 1, 1, tzinfo=UTC)
    types = [t for group in GROUPS.values() for t in group]
    query = sa.select(
        SubjectRequest.request_type,
        SubjectRequest.state,
        SubjectRequest.received_at,
        SubjectRequest.closed_at,
    ).where(
        SubjectRequest.received_at >= start,
        SubjectRequest.received_at < end,
        SubjectRequest.request_type.in_(types),
    )
    rows = session.execute(query).all()
    return [
        _figures(name, [r for r in rows if r.request_type in members]) for name, members in GROUPS.items()
    ]


def _figures(name: str, rows: list[Any]) -> TypeMetrics:
    complied = [r for r in rows if r.state in COMPLIED]
    denied = [r for r in rows if r.state in DENIED]
    days = [(r.closed_at.date() - r.received_at.date()).days for r in (*complied, *denied) if r.closed_at]
    return TypeMetrics(
        type=name,
        received=len(rows),
        complied=len(complied),
        denied=len(denied),
        median_days=float(statistics.median(days)) if days else None,
        mean_days=round(statistics.fmean(days), 2) if days else None,
    )


def to_csv(metrics: list[TypeMetrics]) -> str:
    """Return the figures as CSV, one row per type (days left empty when nothing was answered)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for m in metrics:
        writer.writerow(["" if v is None else v for v in asdict(m).values()])
    return out.getvalue()


def to_json(metrics: list[TypeMetrics], year: int) -> str:
    """Return the figures as a JSON document."""
    return json.dumps({"year": year, "types": [asdict(m) for m in metrics]}, indent=2) + "\n"


def to_markdown(metrics: list[TypeMetrics], year: int) -> str:
    """Return the figures as a markdown table."""
    lines = [
        f"# Requests received in {year}",
        "",
        "| Type | Received | Complied with in whole or in part | Denied | Median days | Mean days |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    lines += [
        f"| {m.type} | {m.received} | {m.complied} | {m.denied} | {_days(m.median_days)} | "
        f"{_days(m.mean_days)} |"
        for m in metrics
    ]
    return "\n".join(lines) + "\n"


def _days(value: float | None) -> str:
    return "-" if value is None else f"{value:g}"


def to_html_page(metrics: list[TypeMetrics], year: int, chart_svg: str) -> str:
    """Return a self-contained page: the chart and the table (for publishing or filing)."""
    rows = "\n".join(
        f'<tr><th scope="row">{m.type}</th><td>{m.received}</td><td>{m.complied}</td><td>{m.denied}</td>'
        f"<td>{_days(m.median_days)}</td><td>{_days(m.mean_days)}</td></tr>"
        for m in metrics
    )
    return (
        f'<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>Requests received in {year}</title></head><body>\n<h1>Requests received in {year}</h1>\n"
        f"{chart_svg}\n<table>\n<thead><tr><th>Type</th><th>Received</th>"
        f"<th>Complied with in whole or in part</th><th>Denied</th><th>Median days</th><th>Mean days</th>"
        f"</tr></thead>\n<tbody>\n{rows}\n</tbody></table>\n</body></html>\n"
    )
