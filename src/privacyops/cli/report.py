"""``privacyops report ropa|ccpa FILE``: records of processing and the California category table."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

import typer

from privacyops.cli.notice import FileArgument, OutOption, emit, load_or_exit


class RopaFormat(StrEnum):
    json = "json"
    csv = "csv"
    md = "md"


class CcpaFormat(StrEnum):
    json = "json"
    md = "md"



def register(app: typer.Typer) -> None:
    group = typer.Typer(help="Reports derived from a manifest.", no_args_is_help=True)
    app.add_typer(group, name="report")

    @group.command("ropa")
    def ropa_command(
        file: Path | None = FileArgument,
        fmt: RopaFormat = typer.Option(RopaFormat.md, "--format", "-f", help="json, csv or md."),
        out: Path | None = OutOption,
    ) -> None:
        """Write the records of processing (GDPR Art. 30), one activity per purpose."""
        from privacyops.reports import ropa

        writers = {RopaFormat.json: ropa.to_json, RopaFormat.csv: ropa.to_csv,
                   RopaFormat.md: ropa.to_markdown}
        activities = ropa.records_of_processing(load_or_exit(file))
        emit(writers[fmt](activities), out)
        gaps = [(a.id, a.missing_fields()) for a in activities if a.missing_fields()]
        for activity_id, missing in gaps:
            typer.secho(f"warning: activity {activity_id!r} has no {', '.join(missing)} in the manifest",
                        err=True, fg="yellow")

    @group.command("ccpa")
    def ccpa_command(
        file: Path | None = FileArgument,
        fmt: CcpaFormat = typer.Option(CcpaFormat.md, "--format", "-f", help="json or md."),
        out: Path | None = OutOption,
    ) -> None:
        """Write the California category table A-K and the twelve-month disclosures."""
        import json

        from privacyops.reports import ccpa

        manifest = load_or_exit(file)
        if fmt is CcpaFormat.json:
            emit(json.dumps(ccpa.ccpa_report(manifest), indent=2, ensure_ascii=False) + "\n", out)
        else:
            emit(ccpa.to_markdown(manifest), out)
