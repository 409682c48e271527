"""`privacyops notice render` and `privacyops report ropa|ccpa`, run as the user runs them."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from privacyops.examples import LANGFUSE_MANIFEST

SEED_SUBPROCESSORS = ("HubSpot", "Loops", "Resend", "cal.com", "Google Workspace", "Vercel",
                      "Google Cloud Platform", "AWS", "Clickhouse Cloud", "Cloudflare", "Slack", "Plain.com",
                      "Pylon", "Inkeep", "GitHub", "Stripe", "Ashby", "Linear", "Sentry", "Datadog")


def privacyops(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("PRIVACYOPS_")}
    return subprocess.run([sys.executable, "-m", "privacyops", *args], capture_output=True, text=True,
                          timeout=120, env=env, cwd=cwd)


def test_render_markdown_to_stdout_has_fifteen_sections_and_every_subprocessor() -> None:
    result = privacyops("notice", "render", str(LANGFUSE_MANIFEST), "--format", "md")
    assert result.returncode == 0, result.stderr
    numbers = re.findall(r"^## (\d+)\. ", result.stdout, flags=re.MULTILINE)
    assert numbers == [str(n) for n in range(1, 16)]
    for name in SEED_SUBPROCESSORS:
        assert name in result.stdout
    assert "Last updated:** 26 March 2026" in result.stdout


def test_render_html_to_a_file(tmp_path: Path) -> None:
    out = tmp_path / "privacy.html"
    result = privacyops("notice", "render", str(LANGFUSE_MANIFEST), "--format", "html", "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    assert '<h2 id="united-states">12. Additional information for United States residents</h2>' in page


def test_render_rejects_an_unknown_format() -> None:
    result = privacyops("notice", "render", str(LANGFUSE_MANIFEST), "--format", "pdf")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr


@pytest.mark.req("RK-2")
def test_ropa_json_has_every_field_filled() -> None:
    result = privacyops("report", "ropa", str(LANGFUSE_MANIFEST), "--format", "json")
    assert result.returncode == 0, result.stderr
    activities = json.loads(result.stdout)
    assert len(activities) >= 10
    for activity in activities:
        assert all(activity[key] for key in activity), activity["id"]
    assert "warning" not in result.stderr


def test_ropa_csv_and_markdown(tmp_path: Path) -> None:
    out = tmp_path / "ropa.csv"
    assert privacyops("report", "ropa", str(LANGFUSE_MANIFEST), "-f", "csv", "-o", str(out)).returncode == 0
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert rows[0][:3] == ["Id", "Purpose", "Controller"]
    assert len(rows) > 10
    md = privacyops("report", "ropa", str(LANGFUSE_MANIFEST), "--format", "md")
    assert md.returncode == 0
    assert md.stdout.startswith("# Records of processing activities")


def test_ropa_warns_about_fields_the_manifest_lacks(tmp_path: Path) -> None:
    text = LANGFUSE_MANIFEST.read_text(encoding="utf-8")
    body = re.sub(r"\nsecurity_measures:\n(  - .*\n)+", "\nsecurity_measures: []\n", text)
    assert body != text
    path = tmp_path / "privacy.yml"
    path.write_text(body, encoding="utf-8")
    result = privacyops("report", "ropa", str(path), "--format", "json")
    assert result.returncode == 0, result.stderr
    assert "has no security_measures" in result.stderr


@pytest.mark.req("NV-3")
def test_ccpa_json_and_markdown() -> None:
    result = privacyops("report", "ccpa", str(LANGFUSE_MANIFEST), "--format", "json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    answers = {row["letter"]: row["answer"] for row in report["table"]}
    assert answers["K"] == "YES" and answers["B"] == "NO"
    assert report["disclosures"]["sold"] == []
    md = privacyops("report", "ccpa", str(LANGFUSE_MANIFEST), "--format", "md")
    assert "| K. Sensitive personal information | YES |" in md.stdout


BROKEN = {
    "yaml": ("controller: [unclosed\n", ":1:"),
    "unknown-category": (None, "user.nonsense"),
    "wrong-type": ("manifest_version: 1\ncontroller: 42\n", "controller"),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
@pytest.mark.parametrize("command", [("notice", "render"), ("report", "ropa"), ("report", "ccpa")])
def test_bad_manifest_gives_a_located_message_and_exit_1(
    tmp_path: Path, case: str, command: tuple[str, str]
) -> None:
    text, expected = BROKEN[case]
    if text is None:
        text = LANGFUSE_MANIFEST.read_text(encoding="utf-8").replace(
            "categories: [user.name, user.contact.email", "categories: [user.nonsense, user.contact.email", 1)
    path = tmp_path / "privacy.yml"
    path.write_text(text, encoding="utf-8")
    result = privacyops(*command, str(path))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert str(path) in result.stderr
    assert expected in result.stderr
    assert result.stdout == ""


def test_missing_file_exits_1() -> None:
    result = privacyops("notice", "render", "/nonexistent/privacy.yml")
    assert result.returncode == 1
    assert "cannot read the file" in result.stderr
    assert "Traceback" not in result.stderr


def test_unwritable_output_exits_1(tmp_path: Path) -> None:
    target = tmp_path / "no" / "such" / "x.md"
    result = privacyops("notice", "render", str(LANGFUSE_MANIFEST), "-o", str(target))
    assert result.returncode == 1
    assert "cannot write" in result.stderr
    assert "Traceback" not in result.stderr
