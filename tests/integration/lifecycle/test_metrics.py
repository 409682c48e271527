"""Yearly request metrics on a fixture year match the counts, medians and means worked out by hand (RK-3)."""

from __future__ import annotations

import csv
import io
import json
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from privacyops.console import framework, sessions, users
from privacyops.settings import Settings
from privacyops.store import db
from privacyops.store.models.requests import SubjectRequest

from .conftest import Cli, today

# (type, state, received, closed): 2025 is the fixture year; one request of 2024 and one restriction
# (not a CCPA type) must not count.
FIXTURE = [
    ("access", "completed", "2025-01-10T09:00", "2025-01-20T17:00"),  # know, 10 days
    ("portability", "partially_completed", "2025-03-01T08:00", "2025-03-31T08:00"),  # know, 30 days
    ("access", "denied", "2025-05-05T12:00", "2025-05-08T12:00"),  # know, denied, 3 days
    ("access", "in_progress", "2025-12-31T23:30", None),  # know, received only
    ("access", "completed", "2024-12-31T22:00", "2025-01-05T10:00"),  # another year
    ("erasure", "completed", "2025-02-01T10:00", "2025-02-15T10:00"),  # delete, 14
    ("account_deletion", "completed", "2025-02-02T10:00", "2025-02-06T10:00"),  # delete, 4
    ("erasure", "deemed_refusal", "2025-06-01T10:00", "2025-08-15T10:00"),  # delete, denied, 75
    ("erasure", "completed", "2025-07-01T10:00", "2025-07-21T10:00"),  # delete, 20
    ("rectification", "denied", "2025-04-01T10:00", "2025-04-11T10:00"),  # correct, denied, 10
    ("opt_out_sale_share", "completed", "2025-09-09T10:00", "2025-09-09T15:00"),  # opt-out, 0
    ("opt_out_sale_share", "cancelled", "2025-09-10T10:00", "2025-09-11T10:00"),  # opt-out, neither
    ("restriction", "completed", "2025-03-03T10:00", "2025-03-04T10:00"),  # not a CCPA type
]
EXPECTED = {
    "know": (4, 2, 1, 10.0, 14.33),  # days 10, 30, 3
    "delete": (4, 3, 1, 17.0, 28.25),  # days 14, 4, 75, 20
    "correct": (1, 0, 1, 10.0, 10.0),
    "opt-out": (2, 1, 0, 0.0, 0.0),
    "limit": (0, 0, 0, None, None),
}


def _moment(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text).replace(tzinfo=UTC) if text else None


@pytest.fixture
def fixture_year(settings: Settings) -> None:
    engine = db.engine_for(settings)
    with db.session_factory(engine)() as session:
        for kind, state, received, closed in FIXTURE:
            session.add(
                SubjectRequest(
                    id=uuid.uuid4().hex,
                    request_type=kind,
                    state=state,
                    channel="web",
                    regions=["us-ca"],
                    subject_key=uuid.uuid4().hex,
                    received_at=_moment(received),
                    closed_at=_moment(closed),
                    deadlines={},
                    extensions=[],
                    flags={},
                )
            )
        session.commit()
    engine.dispose()


@pytest.mark.req("RK-3")
@pytest.mark.usefixtures("fixture_year")
def test_fixture_year_gives_exact_counts_medians_and_means(cli: Cli) -> None:
    result = cli("report", "metrics", "--year", "2025", "--format", "json")
    assert result.exit_code == 0, result.output
    figures = {
        t["type"]: (t["received"], t["complied"], t["denied"], t["median_days"], t["mean_days"])
        for t in json.loads(result.output)["types"]
    }
    assert figures == EXPECTED
    table = list(csv.DictReader(io.StringIO(cli("report", "metrics", "--year", "2025", "-f", "csv").output)))
    assert [row["type"] for row in table] == list(EXPECTED)
    assert table[4]["median_days"] == "" and table[1]["mean_days"] == "28.25"
    page = cli("report", "metrics", "--year", "2025", "-f", "html").output
    assert "<svg" in page and "<script" not in page and "delete: 4 received" in page
    assert cli("report", "metrics", "--year", "2024", "-f", "json").exit_code == 0


@pytest.mark.req("RK-3")
@pytest.mark.usefixtures("fixture_year")
def test_console_pages_show_the_chart_the_versions_and_the_ledger(
    app: FastAPI,
    client: TestClient,
    cli: Cli,
    write_manifest: Callable[..., Path],
    admin_headers: dict[str, str],
) -> None:
    anonymous = client.get("/admin/metrics", follow_redirects=False)
    assert anonymous.status_code == 303 and "/admin/sign-in" in anonymous.headers["location"]
    with app.state.services.sessions.begin() as session:
        user = users.add(
            session, username="auditor", password="auditor-password-1", role="viewer", actor="test"
        )
        _started, cookie = sessions.start(
            session, user, framework.lifetime(app.state.services.settings), datetime.now(UTC)
        )
    client.cookies.set(framework.SESSION_COOKIE, cookie)

    page = client.get("/admin/metrics", params={"year": 2025})
    assert page.status_code == 200 and "<svg" in page.text and "<script>" not in page.text.split("<body")[1]
    row = page.text.split('<th scope="row">delete</th>', 1)[1].split("</tr>", 1)[0]
    assert [cell.split("</td>")[0] for cell in row.split("<td>")[1:]] == ["4", "3", "1", "17", "28.25"]
    assert 'id="request-log"' in page.text
    log = client.get("/admin/reports/request-log.csv", params={"since": "2025-01-01"})
    assert log.status_code == 200 and log.headers["content-type"].startswith("text/csv")
    lines = log.text.splitlines()
    assert lines[0].startswith("date_received,request_type,manner_received") and len(lines) == 1 + 12

    assert (
        cli("notice", "publish", str(write_manifest("v1")), "--effective", today().isoformat()).exit_code == 0
    )
    versions_page = client.get("/admin/notice/versions").text
    assert 'data-version="1"' in versions_page and "(in effect)" in versions_page

    client.post(
        "/api/v1/disclosures",
        headers=admin_headers,
        json={"kind": "sale", "recipient": "Data Broker LLC", "letters": ["B"]},
    )
    ledger = client.get("/admin/disclosures").text
    assert "Data Broker LLC" in ledger and "sale of B" in ledger
