"""``privacyops scan SYSTEM``: sample a connected database and report personal data the manifest misses."""

from __future__ import annotations

import os
from collections.abc import Mapping
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from privacyops.envnames import env_var

if TYPE_CHECKING:
    from rich.console import Console

    from privacyops.manifest.errors import Finding
    from privacyops.manifest.schema import Manifest, System
    from privacyops.pii.discover_report import ScanReport

DEFAULT_SAMPLE = 1000
DEFAULT_BUDGET = 10.0


class OutputFormat(StrEnum):
    text = "text"
    json = "json"


class NoConnection(Exception):
    """The system names no database URL that is set."""


def connection_url(system_name: str, system: System, override: str | None,
                   env: Mapping[str, str] | None = None) -> str:
    """Return the URL to scan: ``--db``, else the manifest's ``url``, else the variable in ``url_env``."""
    from privacyops.cli.demo import normalise_url

    env = os.environ if env is None else env
    url = override or system.url or (env.get(system.url_env) if system.url_env else None)
    if not url:
        why = f"{system.url_env} is not set" if system.url_env else "the manifest gives no url or url_env"
        raise NoConnection(f"system {system_name} has no database URL ({why})")
    return normalise_url(url)


def scan_url(manifest: Manifest, system_name: str, url: str, *, sample_rows: int = DEFAULT_SAMPLE,
             time_budget_s: float = DEFAULT_BUDGET) -> ScanReport:
    """Connect to ``url`` with the system's connector type, scan it, and close the connection."""
    from privacyops.connectors import registry
    from privacyops.pii import discover

    connector = registry.create(manifest.systems[system_name].connector, url)
    try:
        return discover.scan_system(manifest, system_name, connector, sample_rows=sample_rows,
                                    time_budget_s=time_budget_s)
    finally:
        close = getattr(connector, "close", None)
        if callable(close):
            close()


def scan_available(manifest: Manifest, env: Mapping[str, str] | None = None, *,
                   sample_rows: int = DEFAULT_SAMPLE, time_budget_s: float = DEFAULT_BUDGET) -> list[Finding]:
    """Scan every SQL system whose connection is available; say which were skipped and why."""
    from privacyops.manifest import load

    source = load.source_map(manifest)
    findings: list[Finding] = []
    for name, system in manifest.systems.items():
        if system.connector != "sql":
            continue
        where = ("systems", name)
        try:
            url = connection_url(name, system, None, env)
        except NoConnection as exc:
            findings.append(source.finding(where, "info", "scan-skipped", f"not scanned: {exc}",
                                           "set the variable to include this system in the scan"))
            continue
        try:
            findings.extend(scan_url(manifest, name, url, sample_rows=sample_rows,
                                     time_budget_s=time_budget_s).findings)
        except Exception as exc:  # a database that is down must not hide the lint
            findings.append(source.finding(where, "warning", "scan-failed",
                                           f"system {name} could not be scanned: {_reason(exc)}",
                                           "check the database is reachable with this URL"))
    return findings


def _reason(exc: Exception) -> str:
    # Driver messages can quote the URL or row values; name the kind of failure only.
    from privacyops.connectors import registry
    from privacyops.pii import discover

    if isinstance(exc, (discover.ScanError, NoConnection, registry.UnknownConnector)):
        return str(exc)
    return type(exc).__name__


def print_report(report: ScanReport, console: Console) -> None:
    """Print one line per column holding personal data, then one line per finding and a summary."""
    from rich.markup import escape

    from privacyops.cli import check

    personal = report.personal_columns()
    if personal:
        console.print(f"Personal data sampled in {escape(report.system)}:")
    for column in personal:
        declared = ", ".join(column.categories) or ("no category" if column.declared else "undeclared")
        entities = ", ".join(f"{e} {n}" for e, n in sorted(column.entities.items()))
        console.print(f"  {escape(column.table)}.{escape(column.column)} ({escape(declared)}): "
                      f"{column.matched}/{column.sampled} rows, {escape(entities)}")
    console.print(f"Scanned {len(report.tables_scanned)} table(s), {len(report.columns)} text column(s) "
                  f"in {report.seconds:.1f} s; not scanned: {len(report.tables_not_scanned)}.")
    check.print_text(report.findings, console)


def _fail(message: str) -> typer.Exit:
    typer.secho(f"error: {message}", err=True, fg="red")
    return typer.Exit(1)


def _manifest_path(given: Path | None) -> Path:
    from privacyops.settings import load_settings

    # Loading the settings also exports the system URLs the home folder names (APP_DATABASE_URL).
    named = Path(load_settings().manifest)  # PRIVACYOPS_MANIFEST, the home's settings, or privacy.yml
    if given is not None:
        return given
    if named.exists():
        return named
    from privacyops.examples import LANGFUSE_MANIFEST

    typer.echo(f"No --manifest and no {named} here: using the example manifest {LANGFUSE_MANIFEST}.",
               err=True)
    return LANGFUSE_MANIFEST


def _load(path: Path) -> Manifest:
    from privacyops.manifest import load
    from privacyops.manifest.errors import ManifestError

    try:
        return load.load_manifest(path)
    except ManifestError as exc:
        raise _fail(f"{path} is not a valid manifest ({exc}); run `privacyops check {path}`") from None


def register(app: typer.Typer) -> None:
    @app.command("scan")
    def scan(
        system: str = typer.Argument(..., help="The system of the manifest to scan, e.g. app_db."),
        manifest: Path | None = typer.Option(
            None, "--manifest", envvar=env_var("manifest"),
            help="Privacy manifest (default: the home folder's, else privacy.yml here, else the bundled "
                 "example)."),
        db: str | None = typer.Option(
            None, "--db", help="Database URL (default: the variable the system's url_env names)."),
        sample: int = typer.Option(DEFAULT_SAMPLE, "--sample", min=1, help="Rows sampled per table."),
        budget: float = typer.Option(DEFAULT_BUDGET, "--budget", min=0.1,
                                     help="Seconds the whole scan may take; tables left are reported."),
        output: OutputFormat = typer.Option(OutputFormat.text, "--format", help="text or json."),
    ) -> None:
        """Sample a system's database and report personal data the manifest does not declare (exit 1)."""
        import json

        from rich.console import Console

        from privacyops.pii import discover

        loaded = _load(_manifest_path(manifest))
        if system not in loaded.systems:
            known = ", ".join(loaded.systems) or "none"
            raise _fail(f"the manifest has no system {system!r}; systems: {known}")
        try:
            url = connection_url(system, loaded.systems[system], db)
            report = scan_url(loaded, system, url, sample_rows=sample, time_budget_s=budget)
        except NoConnection as exc:
            raise _fail(f"{exc}; pass --db URL") from None
        except discover.ScanError as exc:
            raise _fail(str(exc)) from None
        except Exception as exc:
            raise _fail(f"cannot scan {system}: {_reason(exc)}; check the URL and that the database is up"
                        ) from None
        if output is OutputFormat.json:
            typer.echo(json.dumps(report.as_dict(), indent=2))
        else:
            print_report(report, Console(soft_wrap=True, highlight=False))
        if report.has_errors():
            raise typer.Exit(1)
