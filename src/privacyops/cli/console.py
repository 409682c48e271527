"""``privacyops console``: the admin console's users."""

from __future__ import annotations

import typer

from privacyops.cli import options
from privacyops.cli.db import DbOption, describe

ROLE_HELP = "viewer (reads), reviewer (decides requests, closes tasks) or admin (everything)."


def _fail(message: str) -> typer.Exit:
    typer.secho(f"error: {message}", err=True, fg=typer.colors.RED)
    return typer.Exit(1)


def register(app: typer.Typer) -> None:
    group = typer.Typer(help="Manage the admin console (/admin).", no_args_is_help=True)
    user = typer.Typer(help="Add, list and disable console users.", no_args_is_help=True)
    group.add_typer(user, name="user")
    app.add_typer(group, name="console")

    @user.command("add")
    def add(
        username: str = typer.Argument(help="A handle such as 'alice' (not an email address)."),
        role: str = typer.Option("viewer", "--role", help=ROLE_HELP),
        password: str | None = typer.Option(
            None,
            "--password",
            envvar="PRIVACYOPS_CONSOLE_PASSWORD",
            help="The password (12+ characters); unset: asked for, or made up with --generate.",
        ),
        generate: bool = typer.Option(False, "--generate", help="Make up a password and print it once."),
        database: str | None = DbOption,
    ) -> None:
        """Create a console user."""
        from privacyops.console import accounts, users

        settings = options.store_settings(database_url=database)
        if password is None:
            password = (
                users.new_password()
                if generate
                else typer.prompt("Password", hide_input=True, confirmation_prompt=True)
            )
        try:
            accounts.add(settings, username, password, role)
        except users.UserRuleError as exc:
            raise _fail(f"{exc.field}: {exc.message}") from None
        except Exception as exc:
            raise _fail(f"could not add the user: {describe(exc)}") from None
        typer.echo(f"console user {username} added with role {role}")
        if generate:
            typer.echo(f"password (shown once): {password}")

    @user.command("list")
    def list_users(database: str | None = DbOption) -> None:
        """List console users with their role and last sign-in."""
        from privacyops.console import accounts

        settings = options.store_settings(database_url=database)
        rows = accounts.listing(settings)
        if not rows:
            typer.echo("no console users; add one with `privacyops console user add NAME --role admin`")
        for row in rows:
            state = "active" if row.active else "disabled"
            via = "  (single sign-on)" if row.single_sign_on else ""
            typer.echo(f"{row.username:<24} {row.role:<9} {state:<9} last sign-in {row.last_sign_in}{via}")

    @user.command("disable")
    def disable(
        username: str = typer.Argument(help="The user to disable; their sessions end at once."),
        database: str | None = DbOption,
    ) -> None:
        """Disable a console user (their history stays)."""
        from privacyops.console import accounts, users

        settings = options.store_settings(database_url=database)
        try:
            accounts.disable(settings, username)
        except users.UserRuleError as exc:
            raise _fail(f"{exc.field}: {exc.message}") from None
        typer.echo(f"console user {username} disabled")
