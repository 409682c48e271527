"""Find a working Python interpreter of a given version (Fides needs 3.13) on this machine.

A ``python3.13`` on PATH may be a pyenv shim that exits 127 when pyenv has no such version installed,
so no candidate is trusted until it answers ``--version`` with the version asked for.

usage: python bench/dsr/interpreter.py 3.13    (prints the interpreter's path, or how to install one)
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path

OVERRIDE = "BENCH_FIDES_PYTHON"  # a path to use as is, checked like every other candidate


class InterpreterNotFound(SystemExit):
    """No interpreter of the version asked for answers here; the message says how to get one."""


def find_python(version: str, environ: Mapping[str, str] | None = None, home: Path | None = None) -> str:
    """Return the path of a working ``python{version}``; raise :class:`InterpreterNotFound` if none."""
    env = os.environ if environ is None else environ
    tried: list[str] = []
    for candidate in _candidates(version, env, Path.home() if home is None else home):
        if candidate in tried:
            continue
        if answers(candidate, version):
            return candidate
        tried.append(candidate)
    listed = "; ".join(tried) if tried else "no candidate found"
    raise InterpreterNotFound(
        f"Python {version} is needed but none works here (tried: {listed}). Install it with "
        f"`uv python install {version}` or `pyenv install {version}` (Debian packages python{version} only "
        f"in releases that ship it), or set {OVERRIDE} to the path of a python{version}."
    )


def answers(candidate: str, version: str) -> bool:
    """Return whether ``candidate --version`` runs and reports ``version`` (3.13 matches 3.13.x)."""
    try:
        done = subprocess.run([candidate, "--version"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return False
    said = (done.stdout + done.stderr).strip()
    return done.returncode == 0 and re.fullmatch(rf"Python {re.escape(version)}(\.\S+)?", said) is not None


def _candidates(version: str, env: Mapping[str, str], home: Path) -> Iterator[str]:
    if env.get(OVERRIDE):
        yield env[OVERRIDE]
    name = f"python{version}"
    # Every match on PATH, not only the first: a broken shim usually comes before a real interpreter.
    for folder in env.get("PATH", "").split(os.pathsep):
        path = Path(folder or ".") / name
        if path.is_file() and os.access(path, os.X_OK):
            yield str(path)
    roots = [Path(env["PYENV_ROOT"])] if env.get("PYENV_ROOT") else []
    for root in [*roots, home / ".pyenv"]:
        found = root.glob(f"versions/{version}*/bin/{name}")
        yield from (str(path) for path in sorted(found, key=_version_key, reverse=True))
    yield from _uv_python(version, env)


def _version_key(path: Path) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", path.parents[1].name))


def _uv_python(version: str, env: Mapping[str, str]) -> Iterator[str]:
    uv = shutil.which("uv", path=env.get("PATH"))
    if uv is None:
        return
    try:
        done = subprocess.run([uv, "python", "find", version], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return
    if done.returncode == 0 and done.stdout.strip():
        yield done.stdout.strip().splitlines()[-1]


if __name__ == "__main__":
    print(find_python(sys.argv[1] if len(sys.argv) > 1 else "3.13"))
