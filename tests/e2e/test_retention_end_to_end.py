"""Retention through the running service: the demo's terminated account is overdue, swept, and a restore
keeps the service out of rotation until the erasures are replayed.

``serve`` and a separate ``worker`` run as subprocesses; the operator's commands run as ``privacyops``.
"""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import UTC, datetime

import httpx
import pytest

from tests.e2e.conftest import MailSource, Service, cli

RULE = "account-after-termination"


@pytest.mark.req("ER-4", "ER-3")
@pytest.mark.parametrize("running", ["serve+worker"], indirect=True)
def test_an_overdue_account_is_swept_by_the_operator_and_a_declared_restore_waits_for_the_replay(
    running: tuple[Service, MailSource],
) -> None:
    service, _ = running
    overdue = subprocess.run([sys.executable, "-m", "privacyops", "retention", "overdue"], env=service.env,
                             capture_output=True, text=True, timeout=120, check=False)
    found = re.search(rf"{RULE}: (\d+) row\(s\) of app_db.users overdue", overdue.stdout)
    assert overdue.returncode == 1 and found, overdue.stdout
    terminated = int(found.group(1))  # the demo's last user and others ended their accounts long ago
    health = httpx.get(f"{service.base}/healthz/retention", timeout=30)
    assert health.status_code == 503 and health.json()["items"][0]["count"] == terminated

    dry = cli("retention", "run", "--dry-run", env=service.env).stdout
    assert f"app_db.users: {terminated} row(s), oldest 20" in dry
    before_sweep = datetime.now(UTC).isoformat()
    swept = cli("retention", "run", env=service.env).stdout
    assert f"{RULE}: run" in swept and "app_db.traces:" in swept

    with service.api() as api:
        runs = api.get("/retention/runs").json()
        assert [r["dry_run"] for r in runs] == [False, True] and runs[0]["rows"]["app_db.users"] == terminated
    assert httpx.get(f"{service.base}/healthz/retention", timeout=30).status_code == 200

    cli("restore", "declare", "--system", "app_db", "--backup-taken-at", before_sweep, env=service.env)
    assert httpx.get(f"{service.base}/healthz", timeout=30).status_code == 503
    replayed = cli("restore", "replay", "--since", before_sweep, env=service.env).stdout
    assert "app_db.users: 0 row(s)" in replayed, "nothing was restored: the rows are already gone"
    assert httpx.get(f"{service.base}/healthz", timeout=30).status_code == 200
