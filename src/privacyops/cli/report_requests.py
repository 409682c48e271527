"""``privacyops report requests``: the request log as CSV (RK-1, six CCPA §7101 fields).

Added to the ``report`` group when another module already registered it (``report.py`` sorts first),
otherwise the group is created here.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import typer

from privacyops.cli import options
from privacyops.cli.db import DbOption


def _report_group(app: typer.Typer) -> typer.Typer:
    for info in app.registered_groups:
        if info.name == "report" and info.typer_instance is not None:
            return info.typer_instance
    group = typer.Typer(help="Reports.", no_args_is_help=True)
    app.add_typer(group, name="report")
    return group


def register(app: typer.Typer) -> None:
    group = _report_group(app)

    @group.command("requests")
    def requests_log(
        since: datetime = typer.Option(..., "--since", formats=["%Y-%m-%d"], help="First day, YYYY-MM-DD."),
        fmt: str = typer.Option("csv", "--format", help="csv (the only format)."),
        out: Path | None = typer.Option(None, "--out", "-o", help="Write to this file instead of stdout."),
        database: str | None = DbOption,
    ) -> None:
        """Export the request log: received, type, manner, response date, nature, basis of denial."""
        if fmt != "csv":
            typer.secho("error: --format: only csv is supported", err=True, fg="red")
            raise typer.Exit(1)
        from privacyops.requests import report_log
        from privacyops.store import db

        settings = options.store_settings(database_url=database)
        engine = db.engine_for(settings)
        try:
            with db.session_factory(engine)() as session:
                text = report_log.to_csv(report_log.log_rows(session, since.date()))
        finally:
            engine.dispose()
        if out is None:
            typer.echo(text, nl=False)
        else:
            out.write_text(text)
