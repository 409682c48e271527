"""``privacyops db``: migrate the store and inspect its schema version."""

from __future__ import annotations

import typer

from privacyops.envnames import env_var


def _fail(message: str) -> typer.Exit:
    typer.secho(f"error: {message}", err=True, fg=typer.colors.RED)
    return typer.Exit(1)


DbOption = typer.Option(
    None, "--db", envvar=env_var("database_url"), help="Store database URL.", show_default=False
)


def register(app: typer.Typer) -> None:
    group = typer.Typer(help="Create and migrate the store database.", no_args_is_help=True)
    app.add_typer(group, name="db")

    @group.command("upgrade")
    def upgrade(database: str | None = DbOption) -> None:
        """Bring the store to the newest schema (safe to run again)."""
        from privacyops.settings import load_settings
        from privacyops.store import db

        settings = load_settings(database_url=database)
        url = settings.database_url
        try:
            db.upgrade(url, secret=db.settings_secret(settings))
        except Exception as exc:
            raise _fail(f"could not migrate the database: {describe(exc)}") from None
        typer.echo(f"database at revision {db.current_revision(url)} (newest: {db.head_revision()})")

    @group.command("current")
    def current(database: str | None = DbOption) -> None:
        """Print the schema revision of the store; exit 1 if it is behind this version of privacyops."""
        from privacyops.settings import load_settings
        from privacyops.store import db

        url = load_settings(database_url=database).database_url
        try:
            revision = db.current_revision(url)
        except Exception as exc:
            raise _fail(f"could not read the database: {describe(exc)}") from None
        head = db.head_revision()
        typer.echo(f"current: {revision or 'none (never migrated)'}")
        typer.echo(f"newest:  {head}")
        if revision != head:
            raise _fail(f"the database is not at the newest revision; run `{db.UPGRADE_COMMAND}`")

    @group.command("revision")
    def revision(
        message: str = typer.Option(..., "-m", "--message", help="What the migration changes."),
    ) -> None:
        """Write a migration for model changes (compares the models with a fresh database at head)."""
        from privacyops.store import db

        try:
            path = db.new_revision(message)
        except db.NothingToMigrate as exc:
            raise _fail(str(exc.__doc__)) from None
        typer.echo(f"wrote {path}")


def describe(exc: BaseException) -> str:
    """One line about a database error, without the SQL or the password of the URL."""
    original = getattr(exc, "orig", None)
    text = str(original if original is not None else exc).strip().splitlines()
    return text[0] if text else type(exc).__name__
