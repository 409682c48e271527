"""`privacyops scan` and `check --scan` run as the user runs them: subprocesses on a demo database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from privacyops.demo import generate
from privacyops.examples import LANGFUSE_MANIFEST


def run(*args: str | Path, env: dict[str, str] | None = None, cwd: Path | None = None
        ) -> subprocess.CompletedProcess[str]:
    unset = {"APP_DATABASE_URL", "PRIVACYOPS_MANIFEST"}
    environment = {k: v for k, v in os.environ.items() if k not in unset}
    environment.update(env or {})
    return subprocess.run([sys.executable, "-m", "privacyops", *map(str, args)], capture_output=True,
                          text=True, timeout=180, env=environment, cwd=cwd)


@pytest.fixture
def demo(db_url: str) -> str:
    generate.build_demo(db_url, users=30, traces=700, seed=5)
    return db_url


def plant_column(url: str) -> list[str]:
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql("ALTER TABLE users ADD COLUMN recovery_contact TEXT")
        conn.exec_driver_sql(
            "UPDATE users SET recovery_contact = 'recovery.' || id || '@mailbox.example.org'")
        values = [row[0] for row in conn.exec_driver_sql("SELECT recovery_contact FROM users")]
    engine.dispose()
    return values


def test_clean_demo_exits_0(demo: str, tmp_path: Path) -> None:
    result = run("scan", "app_db", "--db", demo, cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 error(s), 0 warning(s)" in result.stdout
    assert "users.email (user.contact.email): 30/30 rows, EMAIL_ADDRESS 30" in result.stdout
    assert "example manifest" in result.stderr  # no privacy.yml in the working folder


def test_planted_column_exits_1_with_a_located_masked_finding(demo: str, tmp_path: Path) -> None:
    planted = plant_column(demo)
    result = run("scan", "app_db", "--db", demo, "--manifest", LANGFUSE_MANIFEST, cwd=tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    line = next(text for text in result.stdout.splitlines() if "undeclared-personal-data" in text)
    assert line.startswith(f"{LANGFUSE_MANIFEST}:")
    assert "users.recovery_contact" in line and "30 of 30 sampled rows (100%)" in line
    assert "`recovery_contact: user.contact.email`" in line
    for value in planted:
        assert value not in result.stdout + result.stderr


def test_json_report_and_url_from_the_manifest_variable(demo: str, tmp_path: Path) -> None:
    plant_column(demo)
    result = run("scan", "app_db", "--format", "json", "--sample", "10", "--budget", "30",
                 env={"APP_DATABASE_URL": demo}, cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    report = json.loads(result.stdout)
    assert report["system"] == "app_db" and report["tables_not_scanned"] == []
    assert [f["code"] for f in report["findings"] if f["level"] == "error"] == ["undeclared-personal-data"]
    planted = next(c for c in report["columns"] if c["column"] == "recovery_contact")
    assert planted["sampled"] == 10 and planted["entities"] == {"EMAIL_ADDRESS": 10}
    assert all("*" in example for example in planted["examples"])


def test_no_url_is_an_actionable_error(tmp_path: Path) -> None:
    result = run("scan", "app_db", "--manifest", LANGFUSE_MANIFEST, cwd=tmp_path)
    assert result.returncode == 1
    assert "APP_DATABASE_URL is not set" in result.stderr and "--db" in result.stderr
    assert "Traceback" not in result.stderr


def test_unknown_system_is_an_actionable_error(tmp_path: Path) -> None:
    result = run("scan", "billing", "--manifest", LANGFUSE_MANIFEST, "--db", "sqlite://", cwd=tmp_path)
    assert result.returncode == 1
    assert "no system 'billing'" in result.stderr and "app_db" in result.stderr


def test_check_scan_adds_the_drift_to_the_lint(demo: str, tmp_path: Path) -> None:
    clean = run("check", LANGFUSE_MANIFEST, "--scan", "--today", "2026-11-26", "--format", "json",
                env={"APP_DATABASE_URL": demo})
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert not [f for f in json.loads(clean.stdout) if f["level"] == "error"]
    plant_column(demo)
    drifted = run("check", LANGFUSE_MANIFEST, "--scan", "--today", "2026-11-26",
                  env={"APP_DATABASE_URL": demo})
    assert drifted.returncode == 1
    assert "undeclared-personal-data" in drifted.stdout and "users.recovery_contact" in drifted.stdout
    unscanned = run("check", LANGFUSE_MANIFEST, "--scan", "--today", "2026-11-26")
    assert unscanned.returncode == 0
    assert "info scan-skipped" in unscanned.stdout and "APP_DATABASE_URL is not set" in unscanned.stdout
