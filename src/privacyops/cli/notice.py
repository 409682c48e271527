"""``privacyops notice render FILE``: the privacy notice generated from a manifest."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

import typer

from privacyops.manifest import load, schema
from privacyops.manifest.errors import ManifestError
from privacyops.notice import render


class NoticeFormat(StrEnum):
    md = "md"
    html = "html"


def load_or_exit(path: Path) -> schema.Manifest:
    """Load a manifest, or print the loader's located findings and exit 1."""
    try:
        return load.load_manifest(path)
    except ManifestError as exc:
        for finding in exc.findings:
            typer.secho(str(finding), err=True, fg="red")
        typer.secho(f"error: {path} is not a valid manifest; run `privacyops check {path}` for details",
                    err=True, fg="red")
        raise typer.Exit(1) from None


def emit(text: str, out: Path | None) -> None:
    """Write text to the output file, or to standard output when none is given."""
    if out is None:
        typer.echo(text, nl=False)
        return
    try:
        out.write_text(text, encoding="utf-8")
    except OSError as exc:
        typer.secho(f"error: cannot write {out}: {exc.strerror or exc}", err=True, fg="red")
        raise typer.Exit(1) from None
    typer.echo(f"wrote {out}", err=True)


OutOption = typer.Option(None, "--output", "-o", help="Write to this file instead of standard output.")


def register(app: typer.Typer) -> None:
    group = typer.Typer(help="Generate the privacy notice from a manifest.", no_args_is_help=True)
    app.add_typer(group, name="notice")

    @group.command("render")
    def render_command(
        file: Path = typer.Argument(..., help="The manifest, e.g. examples/langfuse/privacy.yml."),
        fmt: NoticeFormat = typer.Option(NoticeFormat.md, "--format", "-f", help="md or html."),
        out: Path | None = OutOption,
    ) -> None:
        """Render the full notice as markdown or as a self-contained HTML page."""
        manifest = load_or_exit(file)
        emit(render.render_notice(manifest, fmt.value), out)
