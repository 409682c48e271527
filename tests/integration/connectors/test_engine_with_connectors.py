"""The subject-request engine driving the HTTP and ClickHouse connectors: access, erasure, proof of zero."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from privacyops.connectors.base import Connector, Match
from privacyops.connectors.clickhouse import ChdbSession, ClickHouseConnector
from privacyops.connectors.http import HttpConnector
from privacyops.connectors.http_spec import parse_spec
from privacyops.connectors.manual import ManualConnector
from privacyops.engine.plan import build_plan
from privacyops.engine.run import run_access, run_erasure
from privacyops.manifest.load import load_manifest
from privacyops.manifest.schema import Manifest, System
from tests.integration.connectors.fake_crm import FakeCrm
from tests.integration.connectors.test_http_connector import ANN, SPEC

EXAMPLE = Path(__file__).parents[3] / "src/privacyops/examples/langfuse/privacy.yml"
KEY = b"k" * 32


@pytest.fixture(scope="module")
def manifest() -> Manifest:
    example = load_manifest(EXAMPLE)
    systems = {
        "crm": System.model_validate({"connector": "http", "tables": {"contacts": {
            "identity": {"email": "email"},
            "fields": {"id": None, "email": "user.contact.email", "firstname": "user.name"}}}}),
        "tracing": System.model_validate({"connector": "clickhouse", "tables": {"traces": {
            "identity": {"email": "metadata->user.email"},
            "fields": {"id": None, "metadata": "user.contact.email", "user_id": None}}}}),
    }
    return example.model_copy(update={"systems": systems})


@pytest.fixture
def connectors(chdb_database: tuple[ChdbSession, str]) -> Iterator[dict[str, Connector]]:
    crm = FakeCrm().start()
    for cid, email in (("c1", ANN), ("c2", "bob@example.com"), ("c3", ANN)):
        crm.add(cid, email, "N")
    session, db = chdb_database
    session.run(f"CREATE TABLE {db}.traces (id String, user_id String, metadata String) "
                "ENGINE = MergeTree ORDER BY id")
    session.run(f"INSERT INTO {db}.traces VALUES ('t1', 'u1', '{{\"user\": {{\"email\": \"{ANN}\"}}}}'), "
                "('t2', 'u2', '{\"user\": {\"email\": \"bob@example.com\"}}'), ('t3', 'u1', '{}')")
    http = HttpConnector(parse_spec(SPEC), base_url=crm.url, env={"CRM_TOKEN": crm.token})
    yield {"crm": http, "tracing": ClickHouseConnector(session, database=db)}
    http.close()
    crm.stop()


def test_access_reads_the_subject_from_both_connectors(manifest: Manifest,
                                                        connectors: dict[str, Connector]) -> None:
    plan = build_plan(manifest, {"email": ANN}, "access")
    result = run_access(plan, connectors, {"email": ANN})
    assert result.ok, result.steps
    assert sorted(r["id"] for r in result.rows["crm.contacts"]) == ["c1", "c3"]
    assert [r["id"] for r in result.rows["tracing.traces"]] == ["t1"]


@pytest.mark.req("ER-1")
def test_erasure_leaves_zero_matches_and_proves_it(manifest: Manifest,
                                                   connectors: dict[str, Connector]) -> None:
    plan = build_plan(manifest, {"email": ANN}, "erasure")
    result = run_erasure(plan, connectors, KEY, {"email": ANN})
    assert result.ok, (result.steps, result.evidence)
    assert {e.table: e.remaining for e in result.evidence} == {"crm.contacts": 0, "tracing.traces": 0}
    # Other people's rows stay, and so does the subject's trace that carries no identity of theirs.
    others = connectors["tracing"].find("traces", Match.of("user_id", ["u1", "u2"]), ["id"])
    assert sorted(r["id"] for r in others) == ["t2", "t3"]
    assert [r["id"] for r in connectors["crm"].find("contacts", Match.of("email", ["bob@example.com"]),
                                                    ["id"])] == ["c2"]


@pytest.mark.req("ER-6")
def test_a_manual_recipient_in_a_system_fails_loudly_instead_of_completing(manifest: Manifest) -> None:
    systems = {"hiring": System.model_validate({"connector": "manual", "tables": {"candidates": {
        "identity": {"email": "email"}, "fields": {"id": None, "email": "user.contact.email"}}}})}
    plan = build_plan(manifest.model_copy(update={"systems": systems}), {"email": ANN}, "erasure")
    result = run_erasure(plan, {"hiring": ManualConnector("Hireflow")}, KEY, {"email": ANN})
    assert not result.ok
    assert "cannot read" in result.failures()[0].reason
