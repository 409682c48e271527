"""``privacyops consent``: lookup, decide and export on the real store."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient

from tests.integration.consent.conftest import ADMIN, Cli

EMAIL = "cli.subject@example.com"


def test_lookup_decide_and_export(client: TestClient, cli: Cli) -> None:
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
    looked = cli(["consent", "lookup", "--subject", f"email:{EMAIL}", "--json"])
    assert looked.exit_code == 0, looked.output
    found = json.loads(looked.output)
    assert [r["granted"] for r in found["receipts"]] == [False, True]
    denied = cli(["consent", "decide", "marketing_communications", "-s", f"email:{EMAIL}"])
    assert denied.exit_code == 3 and json.loads(denied.output)["code"] == "withdrawn"
    bad = cli(["consent", "decide", "mind_reading", "-s", f"email:{EMAIL}"])
    assert bad.exit_code == 1 and "unknown purpose" in bad.output
    exported = cli(["consent", "export"])
    lines = [json.loads(line) for line in exported.output.splitlines()]
    assert len(lines) == 2 and EMAIL not in exported.output and len(lines[0]["subject_key"]) == 64
