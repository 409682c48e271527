"""The ``privacyops`` command: assembles the command groups."""

from __future__ import annotations

import importlib
import pkgutil

import typer

import privacyops.cli as cli_package

HELP_WIDTH = 120

# Plain help (no rich tables): option names and their PRIVACYOPS_* variables print whole at any terminal
# width instead of being cut off in a narrow column, and help needs no rich import.
app = typer.Typer(
    name="privacyops",
    help="Privacy as code: check a manifest, render the notice, run the service and the demo.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    rich_markup_mode=None,
    context_settings={"max_content_width": HELP_WIDTH},
)

@app.callback()
def main() -> None:
    """Privacy as code. Every option also reads a PRIVACYOPS_* environment variable."""


_registered = False


def _register_all() -> None:
    # Every module of this package that defines ``register(app)`` adds its commands, so a new
    # command group is one new file and nothing else changes. Registering runs on every call, even
    # ``--help``: the modules import only typer at the top and the rest inside the command bodies.
    # Once per process: a second pass would add a second group of a name, hiding the first's commands.
    global _registered
    if _registered:
        return
    _registered = True
    for info in sorted(pkgutil.iter_modules(cli_package.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"privacyops.cli.{info.name}")
        register = getattr(module, "register", None)
        if register is not None:
            register(app)


def run() -> None:
    """Entry point of the console script."""
    _register_all()
    app()
