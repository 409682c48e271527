"""The requirement trace as CI runs it: pytest writes the report, ``python -m tests.reqtrace`` checks it.

Both run as real processes on a small project of their own in ``tmp_path``: three requirements, code that
claims two of them, and tests that prove, fail or name an id the document does not have.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.reqtrace.plugin import write_report

ROOT = Path(__file__).resolve().parents[2]

REQUIREMENTS = """| id | source | rule | acceptance test |
|---|---|---|---|
| AA-1 | x | The first rule. | It holds. |
| AA-2 | y | The second rule. | It holds too. |
| AA-3 | z | A rule nobody claims. | Nothing yet. |
"""

TESTS = """import pytest

@pytest.mark.req("AA-1")
def test_proves_the_first():
    assert 1 + 1 == 2

@pytest.mark.req("AA-2")
def test_proves_the_second():
    assert {passes}

@pytest.mark.req("AA-1", "{extra}")
@pytest.mark.parametrize("n", [1, 2])
def test_names_ids(n):
    assert n > 0

def test_proves_nothing_in_particular():
    assert True
"""


def project(tmp_path: Path, passes: bool = True, extra: str = "AA-1") -> Path:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "rules.py").write_text('"""The rules (AA-1..2)."""\n', encoding="utf-8")
    (tmp_path / "requirements.md").write_text(REQUIREMENTS, encoding="utf-8")
    (tmp_path / "pytest.ini").write_text("[pytest]\naddopts = --strict-markers\n", encoding="utf-8")
    (tmp_path / "test_sample.py").write_text(TESTS.format(passes=passes, extra=extra), encoding="utf-8")
    return tmp_path


def env(**extra: str) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if k not in ("CI", "PRIVACYOPS_REQUIREMENTS")}
    return {**base, "PYTHONPATH": str(ROOT), **extra}


def run_pytest(folder: Path) -> tuple[subprocess.CompletedProcess[str], dict[str, Any]]:
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "tests.reqtrace.plugin", "-p", "no:cacheprovider", "-q",
         "--req-report", "out/report.json", "test_sample.py"],
        cwd=folder, env=env(), capture_output=True, text=True, timeout=120)
    report = json.loads((folder / "out" / "report.json").read_text(encoding="utf-8"))
    return done, report


def reqtrace(folder: Path, *args: str, **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tests.reqtrace", "--src", str(folder / "src"), *args],
        cwd=ROOT, env=env(**extra), capture_output=True, text=True, timeout=120)


def test_every_claimed_id_with_a_passing_test_passes_the_strict_check(tmp_path: Path) -> None:
    folder = project(tmp_path)
    done, report = run_pytest(folder)
    assert done.returncode == 0, done.stdout + done.stderr
    assert report["tests"] == {
        "test_sample.py::test_names_ids[1]": {"ids": ["AA-1"], "outcome": "passed"},
        "test_sample.py::test_names_ids[2]": {"ids": ["AA-1"], "outcome": "passed"},
        "test_sample.py::test_proves_the_first": {"ids": ["AA-1"], "outcome": "passed"},
        "test_sample.py::test_proves_the_second": {"ids": ["AA-2"], "outcome": "passed"},
    }
    checked = reqtrace(folder, "--report", str(folder / "out/report.json"),
                       "--requirements", str(folder / "requirements.md"), "--strict")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    lines = {line.split()[0]: line.split() for line in checked.stdout.splitlines() if line[:3] == "AA-"}
    assert lines["AA-1"][1:6] == ["yes", "3", "3", "0", "ok"]
    assert lines["AA-2"][1:6] == ["yes", "1", "1", "0", "ok"]
    assert lines["AA-3"][1:6] == ["-", "0", "0", "0", "NO"]  # NO TEST: shown, but nobody claims it
    assert "passed   test_sample.py::test_proves_the_second" in checked.stdout
    assert checked.stderr == ""


def test_a_claim_without_a_passing_test_or_an_unknown_id_fails_the_strict_check(tmp_path: Path) -> None:
    folder = project(tmp_path, passes=False, extra="AA-9")
    done, report = run_pytest(folder)
    assert done.returncode == 1
    assert report["tests"]["test_sample.py::test_proves_the_second"] == {"ids": ["AA-2"], "outcome": "failed"}
    args = ("--report", str(folder / "out/report.json"), "--requirements", str(folder / "requirements.md"))
    checked = reqtrace(folder, *args, "--strict")
    assert checked.returncode == 1
    assert "AA-2 is claimed by src/rules.py:1 but none of its 1 marked test(s) passed" in checked.stderr
    unknown = "AA-9 is not in requirements.md but is named by test_sample.py::test_names_ids[1]"
    assert unknown in checked.stderr
    assert reqtrace(folder, *args).returncode == 0  # without --strict the table is only printed


@pytest.mark.parametrize(("ci", "status"), [("true", 1), ("", 0)])
def test_missing_requirements_fail_in_ci_and_only_warn_elsewhere(tmp_path: Path, ci: str,
                                                                 status: int) -> None:
    folder = project(tmp_path)
    report = folder / "report.json"
    write_report(report, "sqlite", {"test_sample.py::t": {"ids": ["AA-1"], "outcome": "passed"}})
    missing = tmp_path / "shared" / "docs" / "requirements.md"
    checked = reqtrace(folder, "--report", str(report), "--strict",
                       PRIVACYOPS_REQUIREMENTS=str(missing), CI=ci)
    assert checked.returncode == status
    assert f"{missing} not found, so no id can be checked (1 marked tests seen)" in checked.stderr


def test_a_missing_report_is_named_with_how_to_write_it(tmp_path: Path) -> None:
    checked = reqtrace(project(tmp_path), "--report", str(tmp_path / "nowhere.json"), "--strict")
    assert checked.returncode == 2
    assert f"{tmp_path / 'nowhere.json'}: no such report; write it with pytest --req-report" in checked.stderr
