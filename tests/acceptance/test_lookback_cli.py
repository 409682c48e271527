"""`privacyops request submit|export|run --lookback` as subprocesses: the period and the counts agree (AC-5).

The rows per table the CLI prints are those of the package it wrote: data.json, the CSV files and the
cover letter (Markdown and HTML), with the older rows the period left out counted in each.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from privacyops.demo.generate import build_demo
from privacyops.examples import LANGFUSE_MANIFEST
from privacyops.package import crypto
from privacyops.store import db
from tests.package_counts import PackageCounts, cli_counts
from tests.support import clean_env

SECRET = "acceptance-lookback-secret-key"


def cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "privacyops", "request", *args], env=env,
                          capture_output=True, text=True, timeout=300)


@pytest.fixture
def env(db_url: str, make_db_url: Callable[[str], str], tmp_path: Path) -> dict[str, str]:
    db.upgrade(db_url)
    demo = make_db_url("demo")
    build_demo(demo, users=10, traces=800, seed=3)
    return clean_env(PRIVACYOPS_DATABASE_URL=db_url, APP_DATABASE_URL=demo,
                     PRIVACYOPS_MANIFEST=str(LANGFUSE_MANIFEST), PRIVACYOPS_SECRET_KEY=SECRET,
                     PRIVACYOPS_HOME=str(tmp_path / "home"))


def submit(env: dict[str, str], region: str, *extra: str) -> str:
    filed = cli(env, "submit", "--type", "access", "--identity", "email=subject1@example.com",
                "--region", region, "--verified", "--json", *extra)
    assert filed.returncode == 0, filed.stderr
    return str(json.loads(filed.stdout)["id"])


def export(env: dict[str, str], request_id: str, out: Path, *extra: str) -> tuple[str, PackageCounts]:
    done = cli(env, "export", request_id, "-o", str(out), *extra)
    assert done.returncode == 0, done.stderr
    return done.stdout, PackageCounts.of(out.read_bytes())


@pytest.mark.req("AC-5")
def test_export_prints_the_counts_of_the_package_it_wrote(env: dict[str, str], tmp_path: Path) -> None:
    request_id = submit(env, "us-ca")
    printed, package = export(env, request_id, tmp_path / "default.zip")
    rows, older = package.agreed()
    assert cli_counts(printed) == (rows, older)
    assert f"{sum(rows.values())} rows from {len(rows)} tables, lookback 12_months" in printed
    assert "CCPA (California) covers the twelve months" in printed
    assert older["app_db.traces"] > 0 and rows["app_db.traces"] == 100 - older["app_db.traces"]

    printed, extended = export(env, request_id, tmp_path / "extended.zip", "--lookback", "extended")
    wider, before_2022 = extended.agreed()
    assert cli_counts(printed) == (wider, before_2022)
    assert 0 < before_2022["app_db.traces"] < older["app_db.traces"]
    assert extended.data["lookback"]["since"].startswith("2022-01-01")

    printed, everything = export(env, request_id, tmp_path / "all.zip", "--lookback", "all")
    assert cli_counts(printed) == everything.agreed() and everything.table_rows()["app_db.traces"] == 100


@pytest.mark.req("AC-5")
def test_the_lookback_asked_for_at_filing_is_kept_and_run(env: dict[str, str], tmp_path: Path) -> None:
    request_id = submit(env, "us-ca", "--lookback", "extended")
    shown = cli(env, "show", request_id, "--json")
    assert json.loads(shown.stdout)["flags"]["lookback"] == "extended"
    run = cli(env, "run", request_id, "--wait")
    assert run.returncode == 0, run.stderr
    assert "access package:" in run.stdout and "lookback extended" in run.stdout
    (kept,) = (Path(env["PRIVACYOPS_HOME"]) / "packages").glob(f"{request_id}.zip.sealed")
    package = PackageCounts.of(crypto.open_sealed(kept.read_bytes(), SECRET.encode()))
    rows, older = package.agreed()
    assert cli_counts(run.stdout) == (rows, older) and older["app_db.traces"] > 0
    assert f"build the access package: done (attempts 1, rows {sum(rows.values())})" in run.stdout
    assert "You asked for this period" in package.files["cover-letter.md"]
    # The run fixed its period: another one is written with export, not by running again.
    again = cli(env, "run", request_id, "--wait", "--lookback", "all")
    assert again.returncode == 1 and "--lookback all -o FILE" in again.stderr


@pytest.mark.parametrize("command", ["export", "run", "submit"])
def test_an_unknown_lookback_is_refused_with_the_choices(env: dict[str, str], tmp_path: Path,
                                                        command: str) -> None:
    if command == "submit":
        done = cli(env, "submit", "--type", "access", "--identity", "email=subject1@example.com",
                   "--region", "eu", "--lookback", "forever")
    else:
        request_id = submit(env, "eu")
        done = cli(env, command, request_id, "--lookback", "forever", *(
            ["-o", str(tmp_path / "x.zip")] if command == "export" else ["--wait"]))
    assert done.returncode == 1
    assert "lookback: unknown lookback 'forever'; use all, 12m, extended or a date" in done.stderr
    assert not (tmp_path / "x.zip").exists()
