"""The home folder (``PRIVACYOPS_HOME``): private files, and the settings file every command reads.

Everything kept there can identify people or sign for the deployment (the store, keys, packages, the
demo mailbox), so folders are created 0700 and files 0600 whatever the umask says.

``<home>/settings.env`` holds ``NAME=value`` lines written by ``privacyops demo`` (or by hand). The
``PRIVACYOPS_*`` names in it rank below the environment and command-line flags; other names (the
system URLs a manifest reads, such as ``APP_DATABASE_URL``) are exported to the environment when not
already set there, so the connectors find them.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Mapping
from pathlib import Path

DEFAULT_HOME = Path(".privacyops")
SETTINGS_FILE = "settings.env"
FOLDER_MODE = 0o700
FILE_MODE = 0o600
HOME_ENV = "PRIVACYOPS_HOME"
SETTINGS_PREFIX = "PRIVACYOPS_"


def private_folder(path: Path) -> Path:
    """Create ``path`` and any missing parent with mode 0700 (folders that exist are left alone)."""
    path = Path(path).expanduser()
    missing = []
    current = path
    while not current.exists():
        missing.append(current)
        if current.parent == current:
            break
        current = current.parent
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=FOLDER_MODE)
        except FileExistsError:  # another process created it meanwhile
            continue
        os.chmod(folder, FOLDER_MODE)  # the umask may have taken bits away; never added any
    return path


def secure_home(home: Path) -> Path:
    """Create the home folder if needed and make it readable by its owner only."""
    path = private_folder(home)
    os.chmod(path, FOLDER_MODE)
    return path


def touch_private(path: Path) -> Path:
    """Create an empty file with mode 0600 if there is none (SQLite then keeps that mode)."""
    path = Path(path).expanduser()
    private_folder(path.parent)
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE))
    return path


def write_private(path: Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` with mode 0600, replacing what was there."""
    path = Path(path).expanduser()
    private_folder(path.parent)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    with os.fdopen(descriptor, "wb") as handle:
        os.fchmod(handle.fileno(), FILE_MODE)
        handle.write(data)
    return path


def home_of(overrides: Mapping[str, object], environ: Mapping[str, str] | None = None) -> Path:
    """Return the home folder a command uses: ``--home``, else ``PRIVACYOPS_HOME``, else ``.privacyops``."""
    given = overrides.get("home")
    if given is not None:
        return Path(str(given)).expanduser()
    env = os.environ if environ is None else environ
    return Path(env.get(HOME_ENV) or DEFAULT_HOME).expanduser()


def settings_file(home: Path) -> Path:
    """Return the path of the home's settings file."""
    return Path(home) / SETTINGS_FILE


def read_settings_file(home: Path) -> dict[str, str]:
    """Return the ``NAME=value`` pairs of the home's settings file (empty when there is none)."""
    path = settings_file(home)
    if not path.is_file():
        return {}
    from dotenv import dotenv_values

    return {name: value for name, value in dotenv_values(path).items() if value is not None}


def export_system_urls(values: Mapping[str, str]) -> None:
    """Put the file's non-``PRIVACYOPS_*`` names into the environment, unless already set there."""
    for name, value in values.items():
        if not name.startswith(SETTINGS_PREFIX):
            os.environ.setdefault(name, value)


def write_settings_file(home: Path, values: Mapping[str, str], header: str) -> Path:
    """Write ``values`` as the home's settings file (mode 0600), keeping entries it already had."""
    merged = {**read_settings_file(home), **values}
    lines = [f"# {line}" if line else "#" for line in header.splitlines()]
    lines += [f"{name}={_quoted(value)}" for name, value in merged.items()]
    return write_private(settings_file(home), ("\n".join(lines) + "\n").encode())


def _quoted(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace("'", "\\'")
    return f"'{escaped}'"
