"""``privacyops restore``: declare a backup restore of a connected system, then replay the erasures (ER-3).

A restored database brings back people erased after its backup was taken. ``declare`` records the
restore, and ``/healthz`` answers 503 until ``replay --since`` has applied the tombstone ledger again
from a moment no later than the backup.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import typer

from privacyops.cli.db import DbOption
from privacyops.cli.options import HomeOption, ManifestOption, fail, store_settings
from privacyops.cli.retention import environment, parse_moment, sessions_of


def register(app: typer.Typer) -> None:
    group = typer.Typer(
        help="Backup restores and the erasure replay that must follow them.", no_args_is_help=True
    )
    app.add_typer(group, name="restore")

    @group.command("declare")
    def declare(
        system: str = typer.Option(..., "--system", help="The manifest's system that was restored."),
        taken_at: str = typer.Option(..., "--backup-taken-at", help="When the backup was taken (ISO 8601)."),
        database: str | None = DbOption,
        manifest: Path | None = ManifestOption,
        home: Path | None = HomeOption,
    ) -> None:
        """Record a restore; the store reports not ready until the replay has run."""
        from privacyops.retention import tombstones

        settings = store_settings(database_url=database, manifest=manifest, home=home)
        moment = parse_moment(taken_at, "--backup-taken-at")
        assert moment is not None
        with environment(settings) as env:
            if system not in env.manifest.systems:
                raise fail(
                    f"--system: {system!r} is not a system of the manifest "
                    f"({', '.join(env.manifest.systems) or 'none declared'})"
                )
        with sessions_of(settings).begin() as session:
            restore = tombstones.declare_restore(session, system=system, backup_taken_at=moment, actor="cli")
        typer.echo(
            f"restore {restore.id} of {system} declared; now run: privacyops restore replay "
            f"--since {moment.isoformat()}"
        )

    @group.command("replay")
    def replay(
        since: str = typer.Option(
            ..., "--since", help="Replay what was erased from this moment (the backup's)."
        ),
        system: str | None = typer.Option(None, "--system", help="Only this system."),
        database: str | None = DbOption,
        manifest: Path | None = ManifestOption,
        home: Path | None = HomeOption,
    ) -> None:
        """Erase again, in the restored databases, every row erased or swept since --since."""
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

        from privacyops.retention import tombstones

        settings = store_settings(database_url=database, manifest=manifest, home=home)
        moment = parse_moment(since, "--since")
        assert moment is not None
        if moment > datetime.now(UTC):
            raise fail("--since is in the future; give the moment the backup was taken")
        sessions = sessions_of(settings)
        with (
            environment(settings) as env,
            Progress(TextColumn("replay"), BarColumn(), MofNCompleteColumn(), transient=True) as bar,
        ):
            task = bar.add_task("replay", total=None)
            done = tombstones.replay(
                sessions,
                env.connectors,
                env.pseudonym_key(),
                moment,
                system=system,
                tick=lambda n: bar.advance(task, n),
            )
        for table, rows in sorted(done.items()):
            typer.echo(f"  {table}: {rows} row(s)")
        typer.echo(f"replayed {sum(done.values())} row(s) erased since {moment.isoformat()}")
