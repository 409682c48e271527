"""``privacyops report metrics --year YYYY``: the yearly request metrics (RK-3, CCPA regulations §7102)."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

import typer

from privacyops.cli import options
from privacyops.cli.db import DbOption
from privacyops.cli.report_requests import _report_group


class MetricsFormat(StrEnum):
    md = "md"
    csv = "csv"
    json = "json"
    html = "html"


def register(app: typer.Typer) -> None:
    group = _report_group(app)

    @group.command("metrics")
    def metrics_command(
        year: int = typer.Option(..., "--year", min=2000, max=2999, help="The calendar year, e.g. 2026."),
        fmt: MetricsFormat = typer.Option(MetricsFormat.md, "--format", "-f", help="md, csv, json or html."),
        out: Path | None = typer.Option(None, "--output", "-o", help="Write to this file instead of stdout."),
        database: str | None = DbOption,
    ) -> None:
        """Per request type: received, complied with in whole or in part, denied, median and mean days."""
        from privacyops.cli.notice import emit
        from privacyops.lifecycle import chart, metrics
        from privacyops.store import db

        settings = options.store_settings(database_url=database)
        engine = db.engine_for(settings)
        try:
            with db.session_factory(engine)() as session:
                figures = metrics.yearly(session, year)
        finally:
            engine.dispose()
        if fmt is MetricsFormat.html:
            text = metrics.to_html_page(figures, year, chart.bar_chart(figures, year))
        else:
            writers = {
                MetricsFormat.md: lambda: metrics.to_markdown(figures, year),
                MetricsFormat.csv: lambda: metrics.to_csv(figures),
                MetricsFormat.json: lambda: metrics.to_json(figures, year),
            }
            text = writers[fmt]()
        emit(text, out)
