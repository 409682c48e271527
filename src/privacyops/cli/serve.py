"""``privacyops serve``: run the HTTP service (with a job worker inside by default)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from privacyops.envnames import env_var

if TYPE_CHECKING:
    from privacyops.settings import Settings


def register(app: typer.Typer) -> None:
    @app.command("serve")
    def serve(
        host: str | None = typer.Option(None, envvar=env_var("host"), help="Address to bind."),
        port: int | None = typer.Option(None, envvar=env_var("port"), help="Port to bind."),
        database: str | None = typer.Option(None, "--db", envvar=env_var("database_url"), help="Store URL."),
        manifest: Path | None = typer.Option(None, envvar=env_var("manifest"), help="Privacy manifest."),
        queue: str | None = typer.Option(None, envvar=env_var("queue_url"), help="Job queue URL."),
        home: Path | None = typer.Option(None, envvar=env_var("home"), help="Folder for local state."),
        worker_in_process: bool | None = typer.Option(
            None,
            "--worker-in-process/--no-worker-in-process",
            envvar=env_var("worker_in_process"),
            help="Run a job consumer inside the server.",
        ),
    ) -> None:
        """Serve the API, the privacy pages and the admin endpoints."""
        from privacyops.settings import load_settings

        settings = load_settings(
            host=host,
            port=port,
            database_url=database,
            manifest=manifest,
            queue_url=queue,
            home=home,
            worker_in_process=worker_in_process,
        )
        start(settings)


def start(settings: Settings) -> None:
    """Check the manifest, show the admin token on first run, then serve (shared with ``demo``)."""
    from privacyops.api import deps, server
    from privacyops.store import tokens

    state = deps.load_manifest_state(Path(settings.manifest))
    if state.error:
        typer.secho(f"error: cannot load the manifest {settings.manifest}: {state.error}", err=True, fg="red")
        typer.echo(f"Point {env_var('manifest')} or --manifest at your privacy.yml.", err=True)
        raise typer.Exit(1)
    admin = tokens.ensure_admin_token(settings)
    if admin.created:
        typer.echo(f"Admin API token (shown once; kept in {admin.path}, mode 0600):")
        typer.echo(f"  {admin.token}")
    typer.echo(f"privacyops on http://{settings.host}:{settings.port}  (docs: /api/v1/docs)")
    if settings.demo_mode:
        typer.echo(f"Demo mode: mail is kept, not sent; read it at {settings.public_url}/dev/mail")
    server.run_server(settings)
