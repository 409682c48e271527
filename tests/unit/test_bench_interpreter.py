"""The benchmark finds a working Python of the version Fides needs, past a pyenv shim that exits 127."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

REPO = Path(__file__).resolve().parents[2]
VERSION = f"{sys.version_info.major}.{sys.version_info.minor}"  # the running Python: a real interpreter
REAL = Path(sys.executable).resolve()
SHIM = "#!/bin/sh\necho \"pyenv: $(basename \"$0\"): command not found\" >&2\nexit 127\n"


@pytest.fixture(scope="module")
def interpreter() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_interpreter", REPO / "bench/dsr/interpreter.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def shim(folder: Path, name: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(SHIM)
    path.chmod(0o755)
    return path


def real(folder: Path, name: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.symlink_to(REAL)
    return path


def test_a_shim_that_exits_127_is_passed_over_for_a_later_interpreter_on_path(
    interpreter: ModuleType, tmp_path: Path
) -> None:
    broken = shim(tmp_path / "shims", f"python{VERSION}")
    working = real(tmp_path / "bin", f"python{VERSION}")
    env = {"PATH": f"{broken.parent}:{working.parent}"}
    assert interpreter.find_python(VERSION, env, home=tmp_path / "nohome") == str(working)


def test_pyenv_versions_folder_newest_working_first(interpreter: ModuleType, tmp_path: Path) -> None:
    shims = shim(tmp_path / "shims", f"python{VERSION}")
    versions = tmp_path / "home" / ".pyenv" / "versions"
    shim(versions / f"{VERSION}.99" / "bin", f"python{VERSION}")  # newest, but broken
    working = real(versions / f"{VERSION}.1" / "bin", f"python{VERSION}")
    env = {"PATH": str(shims.parent)}
    assert interpreter.find_python(VERSION, env, home=tmp_path / "home") == str(working)


def test_a_python_of_another_version_under_the_asked_name_is_refused(
    interpreter: ModuleType, tmp_path: Path
) -> None:
    impostor = real(tmp_path / "bin", "python3.99")  # answers with the running version
    with pytest.raises(interpreter.InterpreterNotFound) as raised:
        interpreter.find_python("3.99", {"PATH": str(impostor.parent)}, home=tmp_path)
    assert str(impostor) in str(raised.value)


def test_nothing_working_says_how_to_install_it(interpreter: ModuleType, tmp_path: Path) -> None:
    broken = shim(tmp_path / "shims", "python3.13")
    with pytest.raises(interpreter.InterpreterNotFound) as raised:
        interpreter.find_python("3.13", {"PATH": str(broken.parent)}, home=tmp_path)
    message = str(raised.value)
    assert str(broken) in message
    assert "uv python install 3.13" in message and "pyenv install 3.13" in message
    assert "BENCH_FIDES_PYTHON" in message


def test_the_override_is_checked_like_any_candidate(interpreter: ModuleType, tmp_path: Path) -> None:
    chosen = real(tmp_path / "chosen", f"python{VERSION}")
    env = {"PATH": "", "BENCH_FIDES_PYTHON": str(chosen)}
    assert interpreter.find_python(VERSION, env, home=tmp_path) == str(chosen)
    broken = shim(tmp_path / "shims", "python-chosen")
    with pytest.raises(interpreter.InterpreterNotFound):
        interpreter.find_python(VERSION, {"PATH": "", "BENCH_FIDES_PYTHON": str(broken)}, home=tmp_path)
