"""Options and look-ups the command modules share, cheap to import (``--help`` loads every module).

A command finds its manifest the same way everywhere: the FILE argument or ``--manifest``, else
``PRIVACYOPS_MANIFEST``, else the home folder's settings file (written by ``privacyops demo``), else
``privacy.yml`` in the working folder.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from privacyops.envnames import env_var

if TYPE_CHECKING:
    from privacyops.settings import Settings

ManifestOption = typer.Option(None, "--manifest", envvar=env_var("manifest"), help="Privacy manifest.")
HomeOption = typer.Option(None, "--home", envvar=env_var("home"), help="Folder for local state.")
QueueOption = typer.Option(None, "--queue", envvar=env_var("queue_url"), help="Job queue URL.")
MANIFEST_HINT = (
    "pass the manifest file, set PRIVACYOPS_MANIFEST, or run `privacyops demo` here first "
    "(it leaves a home folder naming the example manifest)"
)


class _LazyModule:
    """A module imported on first attribute access, so that a command's imports wait for its run."""

    def __init__(self, name: str) -> None:
        self._name = name

    def __getattr__(self, attribute: str) -> Any:
        return getattr(importlib.import_module(self._name), attribute)


def lazy(name: str) -> Any:
    """Return module ``name`` to be imported when first used (declare its type under TYPE_CHECKING)."""
    return _LazyModule(name)


def fail(message: str) -> typer.Exit:
    """Print an error and return the exit to raise."""
    typer.secho(f"error: {message}", err=True, fg=typer.colors.RED)
    return typer.Exit(1)


def manifest_file(given: Path | None, home: Path | None = None) -> Path:
    """Return the manifest a command reads: ``given``, else the one the settings name (see module doc)."""
    if given is not None:
        return given
    from privacyops.settings import load_settings

    path = Path(load_settings(home=home).manifest)
    if not path.exists():
        raise fail(f"no manifest at {path}: {MANIFEST_HINT}")
    return path


def store_settings(**overrides: object) -> Settings:
    """Load the settings and make the store ready: an embedded SQLite store is migrated on first use.

    A PostgreSQL store that is behind exits 1 naming ``privacyops db upgrade``.
    """
    from privacyops.settings import load_settings
    from privacyops.store import db

    settings = load_settings(**overrides)
    try:
        db.ensure_schema(settings.database_url, secret=db.settings_secret(settings))
    except db.StoreNotMigrated as exc:
        raise fail(str(exc)) from None
    except Exception as exc:
        from privacyops.cli.db import describe

        raise fail(f"cannot open the store database: {describe(exc)}") from None
    return settings
