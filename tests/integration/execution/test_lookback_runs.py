"""The period of an access package follows the request's laws (AC-5), run for real on the demo database.

GDPR requests get everything held; CCPA requests the last twelve months unless the subject asks for the
extended period back to 2022-01-01. Whatever the period, the run, data.json, the CSV files and the cover
letter give the same rows per table, and older rows are counted as left out.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from privacyops.demo import truth
from privacyops.execution import runner
from privacyops.execution.env import ExecutionEnv
from privacyops.package import crypto
from privacyops.requests import intake, service
from privacyops.store.models.execution import ExecutionRun
from tests.package_counts import PackageCounts

from .conftest import SECRET, SUBJECT, Setup

EXTENDED = datetime(2022, 1, 1)


def run_access(setup: Setup, home: Path, regions: list[str], lookback: str | None = None
               ) -> tuple[PackageCounts, dict[str, Any], int]:
    """File a verified access request, run it to the end; return the package, the run's outcome, step rows."""
    submission = intake.build_submission(request_type="access", identities=SUBJECT, regions=regions,
                                         channel="api", verified=True, lookback=lookback)
    env = ExecutionEnv(manifest=setup.env.manifest, service=setup.env.service,
                       connectors=setup.env.connectors, home=home)
    with setup.sessions.begin() as session:
        request_id = service.submit(session, env.service, submission, actor="test").request.id
        runner.start(session, env, request_id, actor="test")
    report = runner.run_request(setup.sessions, env, request_id)
    assert report.status == "completed", report
    with setup.sessions() as session:
        run = session.get(ExecutionRun, request_id)
        assert run is not None
        outcome = dict(run.outcome)
    sealed = Path(outcome["package"]).read_bytes()
    (package_step,) = [s for s in report.steps if s["name"] == "build the access package"]
    return PackageCounts.of(crypto.open_sealed(sealed, SECRET)), outcome, package_step["rows"]


def traces_before(url: str, moment: datetime) -> int:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            query = sa.text("SELECT COUNT(*) FROM traces WHERE user_id = 'u_1' AND timestamp < :moment")
            return int(conn.execute(query, {"moment": moment}).scalar_one())
    finally:
        engine.dispose()


def agreed(package: PackageCounts, outcome: dict[str, Any], step_rows: int) -> tuple[dict[str, int],
                                                                                      dict[str, int]]:
    """Check the run states the package's numbers, then return them (rows, left out) per table."""
    rows, older = package.agreed()
    assert outcome["package_rows"] == rows and outcome["package_left_out"] == older
    assert step_rows == sum(rows.values())
    return rows, older


@pytest.mark.req("AC-5")
def test_a_gdpr_request_gives_every_trace_of_the_subject(setup: Setup, tmp_path: Path) -> None:
    year_ago = datetime.now(UTC).replace(tzinfo=None, year=datetime.now(UTC).year - 1)
    # The demo holds traces of the subject older than twelve months and older than 2022.
    assert traces_before(setup.demo_url, year_ago) > traces_before(setup.demo_url, EXTENDED) > 0
    package, outcome, step_rows = run_access(setup, tmp_path, ["eu"])
    rows, older = agreed(package, outcome, step_rows)
    found = truth.ground_truth(setup.demo_url, "u_1")
    expected = {f"app_db.{table}": len(ids) for table, ids in found.items() if ids}
    assert {t: n for t, n in rows.items() if n} == expected
    assert rows["app_db.traces"] == 100 and rows["app_db.observations"] == 300 and older == {}
    assert package.data["lookback"]["mode"] == "all" and package.data["lookback"]["since"] is None
    assert "GDPR (EEA) gives you a right to all the personal data" in package.files["cover-letter.md"]


@pytest.mark.req("AC-5")
def test_a_ccpa_request_gives_the_last_twelve_months_and_counts_the_rest(setup: Setup,
                                                                         tmp_path: Path) -> None:
    package, outcome, step_rows = run_access(setup, tmp_path, ["us-ca"])
    rows, older = agreed(package, outcome, step_rows)
    period = package.data["lookback"]
    assert period["mode"] == "12_months" and "CCPA (California) covers the twelve months" in period["reason"]
    since = datetime.fromisoformat(period["since"]).astimezone(UTC).replace(tzinfo=None)
    old = traces_before(setup.demo_url, since)
    assert 0 < old < 100
    assert (rows["app_db.traces"], older["app_db.traces"]) == (100 - old, old)
    # A trace's observations and score belong to its period.
    assert (rows["app_db.observations"], older["app_db.observations"]) == (3 * (100 - old), 3 * old)
    assert (rows["app_db.scores"], older["app_db.scores"]) == (100 - old, old)
    assert rows["app_db.users"] == 1  # undated data is always given
    assert "ask for the extended period" in package.files["cover-letter.html"]


@pytest.mark.req("AC-5")
def test_a_ccpa_request_for_the_extended_period_reaches_back_to_2022(setup: Setup, tmp_path: Path) -> None:
    package, outcome, step_rows = run_access(setup, tmp_path, ["us-ca"], lookback="extended")
    rows, older = agreed(package, outcome, step_rows)
    period = package.data["lookback"]
    assert period["mode"] == "extended" and period["since"].startswith("2022-01-01")
    assert "You asked for this period" in period["reason"]
    old = traces_before(setup.demo_url, EXTENDED)
    assert (rows["app_db.traces"], older["app_db.traces"]) == (100 - old, old)
    assert "This package covers everything collected on or after 1 January 2022" in \
        package.files["cover-letter.md"]
