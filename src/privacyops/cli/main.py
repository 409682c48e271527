"""The ``privacyops`` command: assembles the command groups."""

from __future__ import annotations

import importlib
import pkgutil

import typer

import privacyops.cli as cli_package

app = typer.Typer(
    name="privacyops",
    help="Privacy as code: check a manifest, render the notice, run the service and the demo.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)

@app.callback()
def main() -> None:
    """Privacy as code. Every option also reads a PRIVACYOPS_* environment variable."""


def _register_all() -> None:
    # Every module of this package that defines ``register(app)`` adds its commands, so a new
    # command group is one new file and nothing else changes.
    for info in sorted(pkgutil.iter_modules(cli_package.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"privacyops.cli.{info.name}")
        register = getattr(module, "register", None)
        if register is not None:
            register(app)


def run() -> None:
    """Entry point of the console script."""
    _register_all()
    app()
