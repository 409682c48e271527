"""Ready requests start by themselves; one whose data is only customers' is forwarded instead (PC-1)."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from privacyops.execution import runner, start
from privacyops.execution.env import ExecutionEnv
from privacyops.manifest.load import load_text
from privacyops.requests import records
from tests.integration.execution.conftest import Setup
from tests.integration.opendsr.conftest import processor_manifest_text

OUTSIDER = "outsider@example.org"


def test_a_verified_access_request_is_ready_then_runs_to_completion(setup: Setup) -> None:
    request_id = setup.submit("access")
    with setup.sessions.begin() as session:
        assert start.ready(session) == [request_id]
    assert start.start_or_forward(setup.sessions, setup.env, request_id) is False
    assert runner.run_request(setup.sessions, setup.env, request_id).status == "completed"
    with setup.sessions.begin() as session:
        assert start.ready(session) == []  # it has its run now; nothing starts twice
        assert records.get_request(session, request_id).state == "completed"


@pytest.mark.req("PC-1")
def test_a_request_that_finds_only_customer_data_is_forwarded_not_run(setup: Setup) -> None:
    engine = sa.create_engine(setup.demo_url)
    with engine.begin() as conn:  # a person named only inside a customer's trace
        project = conn.execute(sa.text("SELECT id FROM projects ORDER BY id LIMIT 1")).scalar_one()
        conn.execute(sa.text("INSERT INTO traces (id, project_id, name, input, output, metadata) "
                             "VALUES ('t_outsider', :p, 'chat', 'hi', 'hello', :m)"),
                     {"p": project, "m": json.dumps({"user": {"email": OUTSIDER}})})
    engine.dispose()
    processor = load_text(processor_manifest_text(), "privacy.yml")
    env = ExecutionEnv(manifest=processor, service=setup.env.service, connectors=setup.env.connectors)
    request_id = setup.submit("access", {"email": OUTSIDER})

    assert start.start_or_forward(setup.sessions, env, request_id) is True
    with setup.sessions.begin() as session:
        assert records.get_request(session, request_id).state == "forwarded_to_controller"
        assert start.ready(session) == []
        runs = session.execute(sa.text("SELECT count(*) FROM execution_runs")).scalar_one()
    assert runs == 0  # nothing ran, nothing was exported
