"""``privacyops report ropa|ccpa FILE``: records of processing and the California category table."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

import typer

from privacyops.cli import options
from privacyops.cli.notice import FileArgument, OutOption, emit, load_or_exit


class RopaFormat(StrEnum):
    json = "json"
    csv = "csv"
    md = "md"
    html = "html"
    xlsx = "xlsx"


class CcpaFormat(StrEnum):
    json = "json"
    md = "md"



def emit_bytes(data: bytes, out: Path | None) -> None:
    """Write a binary report (such as a workbook) to its file."""
    assert out is not None  # checked before the report is built
    try:
        out.write_bytes(data)
    except OSError as exc:
        raise options.fail(f"cannot write {out}: {exc.strerror or exc}") from None
    typer.echo(f"wrote {out}", err=True)


def register(app: typer.Typer) -> None:
    group = typer.Typer(help="Reports derived from a manifest.", no_args_is_help=True)
    app.add_typer(group, name="report")

    @group.command("ropa")
    def ropa_command(
        file: Path | None = FileArgument,
        fmt: RopaFormat = typer.Option(RopaFormat.md, "--format", "-f", help="json, csv, md, html or xlsx."),
        out: Path | None = OutOption,
    ) -> None:
        """Write the records of processing (GDPR Art. 30), one activity per purpose."""
        from privacyops.reports import ropa, ropa_export

        if fmt is RopaFormat.xlsx and out is None:
            raise options.fail("--format xlsx writes a workbook: name its file with --output (-o ropa.xlsx)")
        manifest = load_or_exit(file)
        activities = ropa.records_of_processing(manifest)
        if fmt is RopaFormat.xlsx:
            emit_bytes(ropa_export.to_xlsx(activities), out)
        elif fmt is RopaFormat.html:
            emit(ropa_export.to_html(activities, manifest.controller.legal_name), out)
        else:
            writers = {RopaFormat.json: ropa.to_json, RopaFormat.csv: ropa.to_csv,
                       RopaFormat.md: ropa.to_markdown}
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
