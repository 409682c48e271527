"""``privacyops version``."""

from __future__ import annotations

import typer

import privacyops


def register(app: typer.Typer) -> None:
    @app.command("version")
    def version() -> None:
        """Print the privacyops version."""
        typer.echo(privacyops.__version__)
