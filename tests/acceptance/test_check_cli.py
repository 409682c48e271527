"""`privacyops check` run as the user runs it: a subprocess, its exit code and its output."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from privacyops.examples import LANGFUSE_MANIFEST

NV4 = {"sensitive-claim-contradicted", "sold-shared-claim-contradicted", "ccpa-category-understated",
       "minors-guardian-contradiction"}
LINE = re.compile(
    r"^(?P<file>.+?):(?P<line>\d+)(:\d+)?: (?P<level>error|warning|info) (?P<code>[a-z0-9-]+) .+"
)


def check(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "privacyops", "check", *map(str, args)],
                          capture_output=True, text=True, timeout=120)


@pytest.mark.req("NV-4")
def test_seed_manifest_passes_with_the_nv4_warnings_in_json():
    result = check(LANGFUSE_MANIFEST, "--format", "json", "--today", "2026-11-26")
    assert result.returncode == 0, result.stdout + result.stderr
    findings = json.loads(result.stdout)
    warnings = {f["code"] for f in findings if f["level"] == "warning"}
    assert warnings >= NV4
    assert not [f for f in findings if f["level"] == "error"]
    for finding in findings:
        assert {"level", "code", "message", "file", "line", "column", "key", "fix"} <= set(finding)
        assert finding["file"] == str(LANGFUSE_MANIFEST) and finding["line"] > 0


def test_seed_manifest_text_output_one_line_per_finding():
    result = check(LANGFUSE_MANIFEST, "--today", "2026-11-26")
    assert result.returncode == 0, result.stdout + result.stderr
    lines = [line for line in result.stdout.splitlines() if LINE.match(line)]
    codes = {LINE.match(line)["code"] for line in lines}  # type: ignore[index]
    assert codes >= NV4
    assert all("(fix: " in line for line in lines)
    assert "0 error(s)" in result.stdout


@pytest.mark.req("NV-1")
def test_stale_notice_fails():
    result = check(LANGFUSE_MANIFEST, "--format", "json", "--today", "2027-04-01")
    assert result.returncode == 1
    assert "notice-stale" in {f["code"] for f in json.loads(result.stdout) if f["level"] == "error"}


@pytest.mark.parametrize(("text", "code", "line"), [
    ("controller: {legal_name: X\n", "yaml-syntax", None),
    ("a: 1\na: 2\n", "duplicate-key", 2),
    ("controler: {}\n", "unknown-key", 1),
])
def test_broken_file_exits_1_without_traceback(tmp_path, text, code, line):
    path = tmp_path / "privacy.yml"
    path.write_text(text, encoding="utf-8")
    for fmt in ("text", "json"):
        result = check(path, "--format", fmt)
        assert result.returncode == 1
        assert "Traceback" not in result.stdout + result.stderr
    findings = json.loads(check(path, "--format", "json").stdout)
    assert code in {f["code"] for f in findings}
    if line is not None:
        assert any(f["line"] == line for f in findings if f["code"] == code)
    text_out = check(path).stdout
    assert f"{path}:" in text_out and code in text_out


def test_missing_file_exits_1_without_traceback(tmp_path):
    result = check(tmp_path / "nope.yml", "--format", "json")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert json.loads(result.stdout)[0]["code"] == "unreadable"


def test_bad_today_is_a_usage_error():
    result = check(LANGFUSE_MANIFEST, "--today", "yesterday")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr and "YYYY-MM-DD" in result.stderr
