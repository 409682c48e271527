"""``privacyops --help`` imports no heavy dependency, so it answers at once, and shows every variable.

Every PRIVACYOPS_* variable shows whole at 80 columns.
"""

from __future__ import annotations

import re
import subprocess
import sys
from typing import Any

import typer

from privacyops.cli import main
from privacyops.pii.operators import OPERATOR_NAMES
from tests.support import clean_env

HEAVY = ("sqlalchemy", "fastapi", "pydantic", "rich", "alembic", "privacyops.manifest", "privacyops.settings")


def help_text(*args: str) -> str:
    result = subprocess.run([sys.executable, "-m", "privacyops", *args, "--help"], capture_output=True,
                            text=True, timeout=60, env=clean_env(COLUMNS="80"))
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_registering_the_commands_imports_none_of_their_dependencies() -> None:
    probe = ("import sys; from privacyops.cli import main; main._register_all(); "
             f"print(','.join(m for m in {HEAVY!r} if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""


def commands(group: Any, path: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], Any]]:
    """Every leaf command below ``group`` (typer's own click), with the names that reach it."""
    found: list[tuple[tuple[str, ...], Any]] = []
    for name, command in group.commands.items():
        if hasattr(command, "commands"):
            found += commands(command, (*path, name))
        else:
            found.append(((*path, name), command))
    return found


def test_every_environment_variable_shows_whole_in_help_at_80_columns() -> None:
    main._register_all()
    root = typer.main.get_command(main.app)
    checked = 0
    for path, command in commands(root):
        names = [p.envvar for p in command.params if isinstance(p.envvar, str)]
        if not names:
            continue
        shown = help_text(*path)
        for name in names:
            assert re.search(rf"(?<![\w]){name}(?![\w])", shown), f"{' '.join(path)}: {name}\n{shown}"
            checked += 1
    assert checked > 20


def test_mask_help_lists_every_operator() -> None:
    shown = " ".join(help_text("mask").split())
    assert f"How to replace findings: {', '.join(OPERATOR_NAMES)}." in shown
