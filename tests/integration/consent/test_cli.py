"""``privacyops consent``: lookup, decide and export on the real store."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from privacyops.cli import main as cli_main
from privacyops.settings import Settings
from tests.integration.consent.conftest import ADMIN, SECRET

EMAIL = "cli.subject@example.com"


def test_lookup_decide_and_export(
    settings: Settings, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    for granted in (True, False):
        answer = client.post(
            "/api/v1/consent/receipts",
            headers=ADMIN,
            json={
                "subject": [f"email:{EMAIL}"],
                "purpose": "marketing_communications",
                "granted": granted,
                "notice_version": "2026-03-26",
            },
        )
        assert answer.status_code == 201, answer.text
    for name, value in (
        ("DATABASE_URL", settings.database_url),
        ("HOME", str(settings.home)),
        ("MANIFEST", str(settings.manifest)),
        ("SECRET_KEY", SECRET),
    ):
        monkeypatch.setenv(f"PRIVACYOPS_{name}", value)
    cli_main._register_all()  # as the console script does when it starts (once)
    runner = CliRunner()
    looked = runner.invoke(cli_main.app, ["consent", "lookup", "--subject", f"email:{EMAIL}", "--json"])
    assert looked.exit_code == 0, looked.output
    found = json.loads(looked.output)
    assert [r["granted"] for r in found["receipts"]] == [False, True]
    denied = runner.invoke(
        cli_main.app, ["consent", "decide", "marketing_communications", "-s", f"email:{EMAIL}"]
    )
    assert denied.exit_code == 3 and json.loads(denied.output)["code"] == "withdrawn"
    bad = runner.invoke(cli_main.app, ["consent", "decide", "mind_reading", "-s", f"email:{EMAIL}"])
    assert bad.exit_code == 1 and "unknown purpose" in bad.output
    exported = runner.invoke(cli_main.app, ["consent", "export"])
    lines = [json.loads(line) for line in exported.output.splitlines()]
    assert len(lines) == 2 and EMAIL not in exported.output and len(lines[0]["subject_key"]) == 64
