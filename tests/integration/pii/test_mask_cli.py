from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path


def _run(*args: str, data: bytes = b"") -> subprocess.CompletedProcess[bytes]:
    command = [sys.executable, "-m", "privacyops", "mask", *args]
    return subprocess.run(command, input=data, capture_output=True, timeout=120, check=False)


def test_text_from_stdin_keeps_other_bytes() -> None:
    result = _run(data=b"\xff\xfe\x00 mail jane@example.com \x01 ip 203.0.113.7\n")
    assert result.returncode == 0, result.stderr
    assert result.stdout == b"\xff\xfe\x00 mail <EMAIL_ADDRESS> \x01 ip <IP_ADDRESS>\n"


def test_files_json_lines_and_operators(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text('{"user": "jane@example.com"}\n\n{"card": [4111111111111111]}\n')
    target = tmp_path / "out.jsonl"
    result = _run(str(source), "-o", str(target), "--format", "jsonl", "--operator", "mask", "--no-progress")
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in target.read_text().splitlines()]
    assert lines == [{"user": "j***@example.com"}, {"card": ["************1111"]}]


def test_a_long_single_line_file(tmp_path: Path) -> None:
    source = tmp_path / "big.txt"
    source.write_text(("lorem ipsum dolor " * 40 + "jane@example.com ") * 8000)
    assert source.stat().st_size > 5_000_000
    result = _run(str(source), "--no-progress")
    assert result.returncode == 0, result.stderr
    assert b"jane@example.com" not in result.stdout and result.stdout.count(b"<EMAIL_ADDRESS>") == 8000


def test_bad_input_and_options_exit_1_with_a_message(tmp_path: Path) -> None:
    assert b"not valid JSON" in _run("--format", "json", data=b'{"a": ').stderr
    deep = _run("--format", "json", data=b"[" * 100_000 + b"]" * 100_000)
    assert deep.returncode == 1 and b"nested too deeply" in deep.stderr
    assert b"line 2" in _run("--format", "jsonl", data=b'{"a": 1}\n{bad\n').stderr
    needs_key = _run("--operator", "encrypt", data=b"x")
    assert needs_key.returncode == 1 and b"PRIVACYOPS_SECRET_KEY" in needs_key.stderr
    assert _run(str(tmp_path / "missing.txt")).returncode == 1


def test_pseudonyms_need_the_key_and_are_stable() -> None:
    env_run = [
        _run("--operator", "pseudonym", "--key", "k1", data=b"jane@example.com").stdout for _ in range(2)
    ]
    assert env_run[0] == env_run[1] and env_run[0].startswith(b"<EMAIL_ADDRESS:")
