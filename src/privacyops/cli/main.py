"""The ``privacyops`` command: assembles the command groups."""

from __future__ import annotations

import importlib

import typer

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


# Each entry is a module under privacyops.cli exposing ``register(app)``. A group adds itself
# here in one line; modules are imported lazily so one broken group cannot hide the others.
COMMAND_MODULES = [
    "version",
]


def _register_all() -> None:
    for name in COMMAND_MODULES:
        module = importlib.import_module(f"privacyops.cli.{name}")
        module.register(app)


def run() -> None:
    """Entry point of the console script."""
    _register_all()
    app()
