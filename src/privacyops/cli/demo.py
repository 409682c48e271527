"""``privacyops demo``: build the demo application database, then serve it with the example manifest.

The demo leaves a home folder (``.privacyops`` here, or ``--home``/``PRIVACYOPS_HOME``) whose
``settings.env`` names the example manifest, the demo database (``APP_DATABASE_URL``) and demo mode, so
every later command run in the same folder works on the demo without any variable set.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from privacyops.envnames import env_var

if TYPE_CHECKING:
    from privacyops.demo.generate import DemoSummary
    from privacyops.settings import Settings

DEMO_DB_FILE = "demo-app.db"
DEFAULT_APP_DB_ENV = "APP_DATABASE_URL"


def register(app: typer.Typer) -> None:
    @app.command("demo")
    def demo(
        db: str | None = typer.Option(
            None,
            "--db",
            envvar=env_var("demo_database_url"),
            help=f"Demo application database URL (default: SQLite file {DEMO_DB_FILE} in the home folder).",
        ),
        users: int = typer.Option(200, envvar=env_var("demo_users"), min=8, help="Number of users."),
        traces: int = typer.Option(2000, envvar=env_var("demo_traces"), min=700, help="Number of traces."),
        seed: int = typer.Option(42, envvar=env_var("demo_seed"), help="Seed: the same seed, the same data."),
        serve: bool = typer.Option(
            True, "--serve/--no-serve", envvar=env_var("demo_serve"), help="Serve after building."
        ),
        host: str | None = typer.Option(None, envvar=env_var("host"), help="Address to bind."),
        port: int | None = typer.Option(None, envvar=env_var("port"), help="Port to bind."),
        home: Path | None = typer.Option(None, envvar=env_var("home"), help="Folder for local state."),
    ) -> None:
        """Build a demo LLM-observability database full of fake people, then serve privacyops on it."""
        from privacyops import home as home_folder
        from privacyops.examples import LANGFUSE_MANIFEST
        from privacyops.settings import load_settings

        settings = load_settings(host=host, port=port, home=home, manifest=LANGFUSE_MANIFEST, demo_mode=True)
        home_folder.secure_home(Path(settings.home))
        url = normalise_url(db) if db else default_demo_url(settings)
        summary = build(url, users=users, traces=traces, seed=seed)
        env_name = app_db_env_name(Path(settings.manifest))
        os.environ[env_name] = url
        remember(settings, {env_name: url}, host=host, port=port)
        describe(summary, settings, env_name, serving=serve)
        describe_console(settings)
        if serve:
            from privacyops.cli import serve as serve_command

            serve_command.start(settings)


def normalise_url(url: str) -> str:
    """Use the psycopg 3 driver for PostgreSQL URLs that name no driver."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def default_demo_url(settings: Settings) -> str:
    """Return the URL of the demo database file in the home folder (created 0600)."""
    from privacyops import home as home_folder

    path = home_folder.touch_private(Path(settings.home).resolve() / DEMO_DB_FILE)
    return f"sqlite:///{path}"


SETTINGS_HEADER = """Written by `privacyops demo`. Every privacyops command run with this home folder
reads it; the environment and command-line flags win over it. Demo mode keeps mail at
/dev/mail instead of sending it: never use it in production."""


def remember(settings: Settings, system_urls: dict[str, str], *, host: str | None, port: int | None) -> None:
    """Write the home's settings file: the manifest, demo mode, system URLs, and a host/port given."""
    from privacyops import home as home_folder

    values = {
        env_var("manifest"): str(Path(settings.manifest).resolve()),
        env_var("demo_mode"): "true",
        **system_urls,
    }
    if host is not None:
        values[env_var("host")] = host
    if port is not None:
        values[env_var("port")] = str(port)
    home_folder.write_settings_file(Path(settings.home), values, SETTINGS_HEADER)


def build(url: str, *, users: int, traces: int, seed: int) -> DemoSummary:
    import sqlalchemy as sa

    from privacyops.demo import generate

    typer.echo(f"Building the demo database ({users} users, {traces} traces, seed {seed}) ...")
    try:
        return generate.build_demo(url, users=users, traces=traces, seed=seed, progress=True)
    except generate.DemoSizeError as exc:
        typer.secho(f"error: {exc}", err=True, fg="red")
        raise typer.Exit(1) from exc
    except (sa.exc.OperationalError, sa.exc.ArgumentError, sa.exc.NoSuchModuleError) as exc:
        typer.secho(
            f"error: cannot build the demo database at {safe_url(url)}: {exc.__class__.__name__}",
            err=True,
            fg="red",
        )
        typer.echo(
            f"Check --db / {env_var('demo_database_url')}: it must name a database you can write to.",
            err=True,
        )
        raise typer.Exit(1) from exc


def safe_url(url: str) -> str:
    """Return the URL with any password hidden, for messages."""
    import sqlalchemy as sa

    try:
        return sa.engine.make_url(url).render_as_string(hide_password=True)
    except sa.exc.ArgumentError:
        return "<unparseable URL>"


def app_db_env_name(manifest: Path) -> str:
    """Return the environment variable through which the manifest's ``app_db`` system finds its database."""
    try:
        from privacyops.manifest.load import load_manifest

        system = load_manifest(manifest).systems.get("app_db")
    except Exception:  # a broken manifest is reported by `serve`; the demo still builds
        return DEFAULT_APP_DB_ENV
    return (system.url_env if system is not None else None) or DEFAULT_APP_DB_ENV


def describe_console(settings: Settings) -> None:
    """Make the demo's console admin and print how to sign in (the password is kept in the home)."""
    from privacyops.console import accounts

    username, password, path = accounts.ensure_demo_admin(settings)
    base = f"http://{settings.host}:{settings.port}"
    typer.echo(f"Privacy center:  {base}/privacy/request")
    typer.echo(f"Admin console:   {base}/admin/  user {username}  password {password}")
    typer.echo(f"  (the password is kept in {path.resolve()}, mode 0600)")


def describe(summary: DemoSummary, settings: Settings, env_name: str, *, serving: bool) -> None:
    from privacyops.store.tokens import ADMIN_TOKEN_FILE

    base = f"http://{settings.host}:{settings.port}"
    typer.echo(
        f"Demo database: {safe_url(summary.url)}  ({summary.total_rows} rows in {summary.seconds:.1f} s)"
    )
    typer.echo(f"  subjects: {', '.join(summary.subjects)} (users u_1 .. u_7, 100 traces each)")
    typer.echo(f"  {env_name} points the manifest's app_db system at it.")
    typer.echo("  some users ended their accounts long ago: `privacyops retention run --dry-run` shows the "
               "sweep that is due, `privacyops retention run` does it")
    typer.echo(f"Manifest: {settings.manifest}")
    typer.echo(
        f"Home folder: {Path(settings.home).resolve()} (its settings.env points every privacyops command "
        "run from this folder at the demo)"
    )
    if not serving:
        return
    typer.echo(f"Privacy notice:  {base}/privacy")
    typer.echo(f"GPC statement:   {base}/.well-known/gpc.json")
    typer.echo(f"Cookie banner:   {base}/consent/example  (a sample host page with the consent banner)")
    typer.echo(f"API docs:        {base}/api/v1/docs")
    typer.echo(f"Demo mailbox:    {base}/dev/mail  (demo mode: mail is kept here, not sent)")
    token = Path(settings.home) / ADMIN_TOKEN_FILE
    typer.echo(f"Admin token:     {settings.admin_token and env_var('admin_token') or token.resolve()}")
