"""``privacyops version``."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    @app.command("version")
    def version() -> None:
        """Print the privacyops version."""
        import privacyops

        typer.echo(privacyops.__version__)
