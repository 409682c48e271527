"""``privacyops notice render [FILE]``: the privacy notice generated from a manifest."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from privacyops.cli import options

if TYPE_CHECKING:
    from privacyops.manifest import schema


class NoticeFormat(StrEnum):
    md = "md"
    html = "html"


def load_or_exit(given: Path | None) -> schema.Manifest:
    """Load a manifest (``given``, else the one the settings name), or print its findings and exit 1."""
    from privacyops.manifest import load
    from privacyops.manifest.errors import ManifestError

    path = options.manifest_file(given)
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
FileArgument = typer.Argument(
    None, help="The manifest (default: the one PRIVACYOPS_MANIFEST or the home folder names)."
)


def register(app: typer.Typer) -> None:
    group = typer.Typer(help="Generate, publish and compare versions of the privacy notice.",
                        no_args_is_help=True)
    app.add_typer(group, name="notice")
    from privacyops.cli import notice_versions

    notice_versions.add_commands(group)

    @group.command("render")
    def render_command(
        file: Path | None = FileArgument,
        fmt: NoticeFormat = typer.Option(NoticeFormat.md, "--format", "-f", help="md or html."),
        out: Path | None = OutOption,
    ) -> None:
        """Render the full notice as markdown or as a self-contained HTML page."""
        from privacyops.notice import render

        manifest = load_or_exit(file)
        emit(render.render_notice(manifest, fmt.value), out)
