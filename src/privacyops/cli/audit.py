"""``privacyops audit``: check the hash-chained audit log."""

from __future__ import annotations

import typer

from privacyops.cli import options
from privacyops.cli.db import DbOption, describe


def register(app: typer.Typer) -> None:
    group = typer.Typer(help="Check the tamper-evident audit log.", no_args_is_help=True)
    app.add_typer(group, name="audit")

    @group.command("verify")
    def verify(
        database: str | None = DbOption,
        as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
    ) -> None:
        """Walk the audit chain; exit 1 naming the first row that was changed or removed."""
        import json

        from privacyops.audit import chain
        from privacyops.store import db

        settings = options.store_settings(database_url=database)
        engine = db.engine_for(settings)
        try:
            with db.session_factory(engine)() as session:
                result = chain.verify(session)
        except Exception as exc:
            typer.secho(f"error: could not read the audit log: {describe(exc)}", err=True, fg="red")
            raise typer.Exit(1) from None
        finally:
            engine.dispose()
        if as_json:
            typer.echo(json.dumps(result.__dict__))
        elif result.ok:
            typer.echo(f"audit chain intact: {result.count} events")
        else:
            typer.secho(
                f"audit chain broken at row {result.first_bad_id}: {result.reason} "
                f"({result.count} events before it verify)",
                err=True,
                fg="red",
            )
        if not result.ok:
            raise typer.Exit(1)
