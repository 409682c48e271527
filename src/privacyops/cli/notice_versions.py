"""``privacyops notice publish|diff``: publish a dated version of the notice, compare two manifests."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import typer

from privacyops.cli import options
from privacyops.cli.db import DbOption
from privacyops.cli.request import HomeOption, actor, workflow


def add_commands(group: typer.Typer) -> None:
    """Add the version commands to the ``notice`` group."""

    @group.command("publish")
    def publish_command(
        file: Path = typer.Argument(..., help="The manifest to publish."),
        effective: str = typer.Option(..., "--effective", help="The date it takes effect (YYYY-MM-DD)."),
        database: str | None = DbOption,
        home: Path | None = HomeOption,
    ) -> None:
        """Store a version of the manifest with its rendered notice; tell subscribers of material changes."""
        from privacyops.lifecycle import versions
        from privacyops.manifest.errors import ManifestError

        date = _date(effective)
        # workflow commits when the block ends normally; an error exits before, leaving nothing stored.
        with workflow(database, file, home) as (session, ctx):
            try:
                done = versions.publish(session, ctx, file, date, actor=actor())
            except ManifestError as exc:
                for finding in exc.findings:
                    typer.secho(str(finding), err=True, fg="red")
                raise options.fail(f"{file} is not a valid manifest; nothing was published") from None
            except (versions.PublishError, OSError) as exc:
                raise options.fail(f"{exc}; nothing was published") from None
        row = done.version
        if done.mails:
            _send_soon(database, home)
        typer.echo(
            f"published version {row.version} as number {row.id}, in effect from {effective}: "
            f"{'MATERIAL' if row.material else 'not material'}; {done.mails} message(s) queued"
        )
        for change in done.changes:
            typer.echo(f"  {'*' if change.material else '-'} {change.text}")

    @group.command("diff")
    def diff_command(
        old: Path = typer.Argument(..., help="The earlier manifest."),
        new: Path = typer.Argument(..., help="The later manifest."),
    ) -> None:
        """List the changes from OLD to NEW in plain words, material ones marked with *."""
        from privacyops.cli.notice import load_or_exit
        from privacyops.lifecycle import changes

        try:
            found = changes.diff(load_or_exit(old), load_or_exit(new))
        except changes.UnrelatedManifests as exc:
            raise options.fail(str(exc)) from None
        if not found:
            typer.echo("no changes")
        for change in found:
            typer.echo(f"{'*' if change.material else '-'} [{change.kind}] {change.text}")
        material = sum(c.material for c in found)
        typer.echo(f"{len(found)} change(s), {material} material (* = material)")


def _send_soon(database: str | None, home: Path | None) -> None:
    """Ask a worker to send the queued messages now; its minute sweep sends them anyway."""
    from privacyops import jobs
    from privacyops.settings import load_settings

    (task,) = jobs.needs("requests_send_outbox")
    try:
        queue = jobs.build_queue(load_settings(database_url=database, home=home))
        queue.enqueue(task)
        queue.close()
    except Exception as exc:  # the messages are committed: the worker's outbox sweep sends them
        typer.secho(
            f"note: could not queue the sending ({type(exc).__name__}); the worker sends the "
            "messages within a minute",
            err=True,
            fg="yellow",
        )


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise options.fail(f"--effective: {text!r} is not a date; write YYYY-MM-DD") from None
