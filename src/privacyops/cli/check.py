"""``privacyops check [FILE]``: validate a manifest, then lint it; exit 1 if anything is an error."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from privacyops.cli import options
from privacyops.envnames import env_var

if TYPE_CHECKING:
    from rich.console import Console

    from privacyops.manifest.errors import Finding

LEVEL_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}


class OutputFormat(StrEnum):
    text = "text"
    json = "json"


def check_file(path: Path, today: dt.date | None = None, *, scan: bool = False) -> list[Finding]:
    """Return the findings for a manifest file: its load errors, or else its lint findings.

    With ``scan``, the databases of its SQL systems that can be reached are sampled as well
    (``privacyops scan``) and the drift findings join the lint findings.
    """
    from privacyops.manifest import lint, load
    from privacyops.manifest.errors import ManifestError

    try:
        manifest = load.load_manifest(path)
    except ManifestError as exc:
        return exc.findings
    findings = lint.lint(manifest, today=today)
    if scan:
        from privacyops.cli import scan as scanning

        found = [*findings, *scanning.scan_available(manifest)]
        findings = sorted(found, key=lambda f: (lint.LEVEL_ORDER[f.level], f.line, f.code))
    return findings


def ledger_findings(path: Path, database: str, today: dt.date | None) -> list[Finding]:
    """Return errors for sales or shares in the store's ledger that the manifest does not state (NV-3)."""
    from privacyops.lifecycle import disclosures
    from privacyops.manifest import load
    from privacyops.store import db

    manifest = load.load_manifest(path)
    settings = options.store_settings(database_url=database)
    engine = db.engine_for(settings)
    try:
        with db.session_factory(engine)() as session:
            events = disclosures.recorded(session, today or dt.datetime.now(dt.UTC).date())
    finally:
        engine.dispose()
    return disclosures.findings(manifest, events)


def print_text(findings: list[Finding], console: Console) -> None:
    """Print one line per finding, then a one-line summary."""
    from rich.markup import escape

    for finding in findings:
        style = LEVEL_STYLE.get(finding.level, "")
        fix = f" (fix: {escape(finding.fix)})" if finding.fix else ""
        console.print(f"{escape(finding.where())}: [{style}]{finding.level}[/] {finding.code} "
                      f"{escape(finding.message)}{fix}")
    errors = sum(f.level == "error" for f in findings)
    warnings = sum(f.level == "warning" for f in findings)
    verdict = "[bold red]failed[/]" if errors else "[green]ok[/]"
    console.print(f"{verdict}: {errors} error(s), {warnings} warning(s)")


def _parse_day(value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date; write YYYY-MM-DD", param_hint="--today") from None


def register(app: typer.Typer) -> None:
    @app.command("check")
    def check(
        file: Path | None = typer.Argument(
            None, help="The manifest to check (default: the one PRIVACYOPS_MANIFEST or the home names)."),
        output: OutputFormat = typer.Option(OutputFormat.text, "--format", help="text or json."),
        today: str | None = typer.Option(None, "--today", help="Lint as of this date (YYYY-MM-DD)."),
        scan: bool = typer.Option(
            False, "--scan", help="Also sample every SQL system whose URL is set (see `privacyops scan`)."),
        database: str | None = typer.Option(
            None, "--db", envvar=env_var("database_url"), show_default=False,
            help="Also check the CCPA statements against this store's disclosures ledger."),
    ) -> None:
        """Validate a privacy manifest and lint it; exit 1 when there is an error (warnings pass)."""
        import json

        from rich.console import Console

        from privacyops.manifest import lint

        path = options.manifest_file(file)
        findings = check_file(path, _parse_day(today), scan=scan)
        if database and not lint.has_errors(findings):
            findings = [*findings, *ledger_findings(path, database, _parse_day(today))]
        if output is OutputFormat.json:
            typer.echo(json.dumps([f.as_dict() for f in findings], indent=2))
        else:
            print_text(findings, Console(soft_wrap=True, highlight=False))
        if lint.has_errors(findings):
            raise typer.Exit(1)
