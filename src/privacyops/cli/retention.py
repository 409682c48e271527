"""``privacyops retention``: sweep the manifest's retention rules, manage legal holds, list overdue data."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from privacyops.cli.db import DbOption
from privacyops.cli.options import HomeOption, ManifestOption, fail, lazy, store_settings

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker

    from privacyops.execution.env import ExecutionEnv
    from privacyops.settings import Settings

AsOfOption = typer.Option(
    None, "--as-of", help="Count periods as if it were this moment (ISO 8601, UTC if no zone); default now."
)
JsonOption = typer.Option(False, "--json", help="Print the result as JSON.")
holds_mod = lazy("privacyops.retention.holds")


def parse_moment(text: str | None, option: str) -> datetime | None:
    """Read an ISO 8601 moment given on the command line; a moment without zone is UTC."""
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise fail(f"{option}: {text!r} is not an ISO 8601 moment; write e.g. 2025-03-01T00:00:00Z") from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


@contextmanager
def environment(settings: Settings, as_of: datetime | None = None) -> Iterator[ExecutionEnv]:
    """Yield the manifest, connectors and keys of ``settings``; a manifest that does not load stops here."""
    from privacyops.connectors.base import ConnectorError
    from privacyops.execution.env import ExecutionEnv, connectors_for
    from privacyops.manifest import load as manifest_load
    from privacyops.requests.context import context_from

    try:
        manifest = manifest_load.load_manifest(Path(settings.manifest))
    except manifest_load.ManifestError as exc:
        raise fail(f"the manifest does not load, so no sweep starts: {exc}") from None
    connectors, problems = connectors_for(manifest)
    clock = (lambda: as_of) if as_of else None
    env = ExecutionEnv(
        manifest=manifest,
        service=context_from(settings, manifest, clock=clock),
        connectors=connectors,
        problems=problems,
        home=Path(settings.home),
    )
    try:
        yield env
    except ConnectorError as exc:
        raise fail(str(exc)) from None
    finally:
        env.close()


def sessions_of(settings: Settings) -> sessionmaker[Session]:
    """Return a session factory on the store."""
    from privacyops.store import db

    return db.session_factory(db.engine_for(settings, sqlite_immediate=True))


def register(app: typer.Typer) -> None:
    group = typer.Typer(help="Retention sweeps, legal holds and overdue data.", no_args_is_help=True)
    app.add_typer(group, name="retention")
    holds = typer.Typer(help="Legal holds: data kept out of sweeps and erasures.", no_args_is_help=True)
    group.add_typer(holds, name="holds")

    @group.command("run")
    def run(
        dry_run: bool = typer.Option(
            False, "--dry-run", help="Report what each rule would remove; change nothing."
        ),
        rule: str | None = typer.Option(None, "--rule", help="Sweep only this rule."),
        as_of: str | None = AsOfOption,
        as_json: bool = JsonOption,
        database: str | None = DbOption,
        manifest: Path | None = ManifestOption,
        home: Path | None = HomeOption,
    ) -> None:
        """Sweep every rule with a sweep (or report it with --dry-run); exit 1 if a run failed."""
        from privacyops.retention import runs, sweep

        settings = store_settings(database_url=database, manifest=manifest, home=home)
        sessions = sessions_of(settings)
        failed = False
        with environment(settings, parse_moment(as_of, "--as-of")) as env:
            try:
                rules = sweep.sweep_rules(env, rule)
            except ValueError as exc:
                raise fail(str(exc)) from None
            for item in rules:
                try:
                    done = _with_bar(env, sessions, item, dry_run, show=not as_json)
                except runs.RunBusy as exc:
                    raise fail(str(exc)) from None
                failed |= done.status == "failed"
                _print_run(runs.describe(done), as_json)
        if failed:
            raise typer.Exit(1)

    @group.command("runs")
    def list_runs(
        rule: str | None = typer.Option(None, "--rule", help="Only this rule's runs."),
        limit: int = typer.Option(20, "--limit", min=1, max=500),
        as_json: bool = JsonOption,
        database: str | None = DbOption,
        home: Path | None = HomeOption,
    ) -> None:
        """List the latest sweep runs, newest first."""
        from privacyops.retention import runs

        settings = store_settings(database_url=database, home=home)
        with sessions_of(settings)() as session:
            found = [runs.describe(r) for r in runs.recent(session, rule=rule, limit=limit)]
        if as_json:
            typer.echo(json.dumps(found, indent=2))
            return
        for item in found:
            typer.echo(
                f"run {item['id']} {item['rule']} {item['status']}{' (dry run)' if item['dry_run'] else ''}"
                f" {item['started_at']} rows {item['rows'] or {}} held {item['held'] or {}}"
                f" {len(item['errors'])} error(s) {item['seconds']}s"
            )

    @group.command("overdue")
    def overdue(
        as_of: str | None = AsOfOption,
        as_json: bool = JsonOption,
        database: str | None = DbOption,
        manifest: Path | None = ManifestOption,
        home: Path | None = HomeOption,
    ) -> None:
        """List data kept past its rule's period and a day of grace (ER-4); exit 1 if there is any."""
        from privacyops.retention import overdue as overdue_mod

        settings = store_settings(database_url=database, manifest=manifest, home=home)
        with environment(settings, parse_moment(as_of, "--as-of")) as env:
            items = overdue_mod.overdue(env, sessions_of(settings))
        if as_json:
            typer.echo(json.dumps(items, indent=2))
        elif not items:
            typer.echo("nothing overdue")
        for item in items if not as_json else []:
            if item.get("count") is None:
                typer.secho(
                    f"{item['rule']}: {item['table']} could not be checked: {item['error']}", fg="yellow"
                )
            else:
                typer.secho(
                    f"{item['rule']}: {item['count']} row(s) of {item['table']} overdue since "
                    f"{item['due']} (oldest start {item['oldest']})",
                    fg="red",
                )
        if any(item.get("count") for item in items):
            raise typer.Exit(1)

    _register_holds(holds)


def _with_bar(
    env: ExecutionEnv, sessions: sessionmaker[Session], rule: Any, dry_run: bool, show: bool
) -> Any:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from privacyops.retention import sweep

    if not show or dry_run:
        return sweep.run_rule(env, sessions, rule, dry_run=dry_run)
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, transient=True) as bar:
        task = bar.add_task(rule.name, total=None)
        return sweep.run_rule(
            env,
            sessions,
            rule,
            tick=lambda n: bar.advance(task, n),
            total=lambda n: bar.update(task, total=n),
        )


def _print_run(item: dict[str, Any], as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps(item, indent=2))
        return
    if item["dry_run"]:
        typer.echo(f"{item['rule']}: would act on rows up to {item['cutoff']}")
        for table, found in item["report"].items():
            typer.echo(f"  {table}: {found['count']} row(s), oldest {found['oldest'] or '-'}")
        return
    colour = "red" if item["status"] == "failed" else "green"
    typer.secho(f"{item['rule']}: run {item['id']} {item['status']} in {item['seconds']}s", fg=colour)
    for table, rows in sorted(item["rows"].items()):
        typer.echo(f"  {table}: {rows} row(s)")
    for table, rows in sorted(item["held"].items()):
        typer.echo(f"  held: {table}: {rows}")
    for error in item["errors"]:
        typer.secho(f"  error: {error}", fg="red")


def _register_holds(holds: typer.Typer) -> None:
    @holds.command("add")
    def add(
        scope: str = typer.Option(..., "--scope", help="subject, category or table."),
        target: str = typer.Option(..., "--target", help="Identity value, category key, or system.table."),
        reason: str = typer.Option(..., "--reason", help="Reason code, e.g. tax or litigation."),
        kind: str | None = typer.Option(
            None, "--kind", help="Identity kind of a subject: email, user_id ..."
        ),
        note: str | None = typer.Option(None, "--note", help="Free text for reviewers."),
        expires: str | None = typer.Option(None, "--expires", help="When the hold ends (ISO 8601)."),
        database: str | None = DbOption,
        manifest: Path | None = ManifestOption,
        home: Path | None = HomeOption,
    ) -> None:
        """Add a legal hold; what it covers is skipped by sweeps and erasures until it ends."""
        settings = store_settings(database_url=database, manifest=manifest, home=home)
        with environment(settings) as env, sessions_of(settings).begin() as session:
            try:
                hold = holds_mod.add(
                    session,
                    env.manifest,
                    scope=scope,
                    target=target,
                    reason_code=reason,
                    actor="cli",
                    hash_fn=env.service.identity_hash,
                    identity_kind=kind,
                    note=note,
                    expires_at=parse_moment(expires, "--expires"),
                )
            except holds_mod.HoldError as exc:
                raise fail(f"--{_option(exc.field)}: {exc.message}") from None
            typer.echo(f"hold {hold.id} added: {scope} {hold.target} ({hold.reason_code})")

    @holds.command("list")
    def list_holds(
        inactive: bool = typer.Option(False, "--all", help="Released and expired holds too."),
        as_json: bool = JsonOption,
        database: str | None = DbOption,
        home: Path | None = HomeOption,
    ) -> None:
        """List legal holds in force, newest first."""
        settings = store_settings(database_url=database, home=home)
        with sessions_of(settings)() as session:
            found = [
                holds_mod.describe(h)
                for h in holds_mod.listed(session, datetime.now(UTC), include_inactive=inactive)
            ]
        if as_json:
            typer.echo(json.dumps(found, indent=2))
        for item in found if not as_json else []:
            ends = (
                item["released_at"] and f"released {item['released_at']}" or item["expires_at"] or "no expiry"
            )
            typer.echo(f"{item['id']}: {item['scope']} {item['target']} {item['reason_code']} ({ends})")

    @holds.command("release")
    def release(
        hold_id: int = typer.Argument(..., help="The hold's id (see holds list)."),
        database: str | None = DbOption,
        home: Path | None = HomeOption,
    ) -> None:
        """Release a legal hold; its data falls under the rules again at the next sweep."""
        settings = store_settings(database_url=database, home=home)
        with sessions_of(settings).begin() as session:
            try:
                holds_mod.release(session, hold_id, actor="cli", now=datetime.now(UTC))
            except holds_mod.HoldError as exc:
                raise fail(exc.message) from None
        typer.echo(f"hold {hold_id} released")


def _option(field: str) -> str:
    return {"reason_code": "reason", "identity_kind": "kind"}.get(field, field)
