"""The README as a script: the quick start's demo, then every command of "What you can do with it".

The commands are read from README.md itself, so the README and this test cannot drift. They run in a
fresh folder, in order, as written (through bash, with the virtual environment first on PATH), with
``ID`` replaced by the id the last ``request submit`` printed; the first non-zero exit fails the test.
``serve`` and ``worker`` start in the background, must answer, and are stopped.
"""

from __future__ import annotations

import os
import re
import stat
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.support import clean_env, free_port, stop_process

README = Path(__file__).resolve().parents[2] / "README.md"
COMMENT = re.compile(r"\s{2,}#.*$")
PLACEHOLDER = re.compile(r"\bID\b")
BACKGROUND = ("privacyops serve", "privacyops worker")
START_DEADLINE = 60.0


def bash_block(section: str) -> list[str]:
    """Return the commands of the first bash block under the README heading ``section``, comments cut."""
    text = README.read_text(encoding="utf-8")
    start = text.index(f"## {section}\n")
    block = text[text.index("```bash\n", start) + len("```bash\n") :]
    block = block[: block.index("```")]
    return [COMMENT.sub("", line).strip() for line in block.splitlines() if line.strip()]


def demo_command() -> str:
    """Return the quick start's demo command (after the install it is chained to)."""
    (line,) = [line for line in bash_block("Quick start") if "privacyops demo" in line]
    return line.split("&&")[-1].strip()


@dataclass
class Walk:
    """The folder and environment of the walk-through, and what earlier commands printed."""

    folder: Path
    env: dict[str, str]
    port: int
    request_id: str | None = None
    request_type: str | None = None
    tasks_closed: bool = False

    def run(self, command: str) -> str:
        result = subprocess.run(
            ["bash", "-c", f"set -eo pipefail; {command}"],
            cwd=self.folder, env=self.env, capture_output=True, text=True, timeout=600,
        )
        assert result.returncode == 0, (
            f"README command failed (exit {result.returncode}): {command}\n{result.stdout}\n{result.stderr}"
        )
        return result.stdout

    def background(self, command: str, log: Path) -> subprocess.Popen[bytes]:
        with log.open("wb") as out:
            return subprocess.Popen(["bash", "-c", f"exec {command}"], cwd=self.folder, env=self.env,
                                    stdout=out, stderr=subprocess.STDOUT)


def wait_until(process: subprocess.Popen[bytes], log: Path, ready: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + START_DEADLINE
    while not ready():
        assert process.poll() is None, f"{what} exited early:\n{log.read_text(errors='replace')}"
        assert time.monotonic() < deadline, f"{what} did not answer within {START_DEADLINE} s"
        time.sleep(0.3)


def answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.TransportError:
        return False


def run_in_background(walk: Walk, command: str) -> None:
    log = walk.folder / f"{command.split()[-1]}.log"
    process = walk.background(command, log)
    try:
        if command.endswith("serve"):
            base = f"http://127.0.0.1:{walk.port}"
            wait_until(process, log, lambda: answers(f"{base}/healthz"), command)
            assert httpx.get(f"{base}/dev/mail.json").status_code == 200
        else:
            wait_until(process, log, lambda: "worker:" in log.read_text(errors="replace"), command)
            time.sleep(1.0)
            assert process.poll() is None, f"{command} stopped:\n{log.read_text(errors='replace')}"
    finally:
        stop_process(process)


def run_step(walk: Walk, line: str) -> None:
    command = PLACEHOLDER.sub(walk.request_id or "ID", line)
    if command in BACKGROUND:
        run_in_background(walk, command)
        return
    output = walk.run(command)
    if "request submit" in command:
        walk.request_id = output.split()[0]
        walk.request_type = command.split("--type", 1)[1].split()[0]
    if "request run" in command and walk.request_type == "access":
        assert f"request {walk.request_id}: completed" in output, output
    if "request run" in command and walk.request_type == "erasure" and walk.tasks_closed:
        assert f"request {walk.request_id}: completed" in output, output
    if "request close-task" in command:
        walk.tasks_closed = True


def demo_serves(walk: Walk) -> None:
    """Start the quick start's demo as written, check its pages and mailbox answer, stop it."""
    log = walk.folder / "demo.log"
    process = walk.background(demo_command(), log)
    base = f"http://127.0.0.1:{walk.port}"
    try:
        wait_until(process, log, lambda: answers(f"{base}/privacy"), "the demo")
        assert httpx.get(f"{base}/dev/mail.json").json() == []
        assert "Demo only" in httpx.get(f"{base}/dev/mail").text
    finally:
        stop_process(process)
    assert process.returncode is not None


def private_modes(home: Path) -> list[str]:
    """Return every file or folder of the home that others could read (should be none)."""
    loose = []
    for path in [home, *home.rglob("*")]:
        mode = stat.S_IMODE(path.stat().st_mode)
        wanted = 0o700 if path.is_dir() else 0o600
        if mode != wanted:
            loose.append(f"{path.relative_to(home.parent)}: {oct(mode)}")
    return loose


def test_the_readme_walkthrough_runs_as_written(tmp_path: Path) -> None:
    port = free_port()
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    walk = Walk(tmp_path, clean_env(PATH=path, PRIVACYOPS_PORT=str(port)), port)
    demo_serves(walk)
    commands = bash_block("What you can do with it")
    assert any(c.startswith("privacyops request verify") for c in commands)
    assert any(c.startswith("privacyops request approve") for c in commands)
    assert any(c.startswith("privacyops request close-task") for c in commands)
    for line in commands:
        run_step(walk, line)
    assert (tmp_path / "subject.zip").stat().st_size > 0
    assert private_modes(tmp_path / ".privacyops") == []
