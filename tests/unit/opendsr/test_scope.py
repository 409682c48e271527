"""Project scope on the in-memory connector: runs never leave the customer's project; hashes are matched."""

from __future__ import annotations

import hashlib
import json

import pytest

from privacyops.connectors.memory import MemoryConnector
from privacyops.examples import LANGFUSE_MANIFEST
from privacyops.manifest.load import load_manifest
from privacyops.manifest.schema import Manifest
from privacyops.opendsr import execute, matching, scope

KEY = b"unit-test-key"


@pytest.fixture(scope="module")
def manifest() -> Manifest:
    shipped = load_manifest(LANGFUSE_MANIFEST)
    system = shipped.systems["app_db"]
    tables = dict(system.tables)
    for name in ("traces", "observations", "scores"):
        tables[name] = tables[name].model_copy(update={"role": "processor"})
    return shipped.model_copy(update={"systems": {"app_db": system.model_copy(update={"tables": tables})}})


def store() -> MemoryConnector:
    def trace(i: str, user: str, project: str, email: str = "") -> dict[str, object]:
        meta = json.dumps({"user": {"email": email}}) if email else "{}"
        return {"id": i, "user_id": user, "project_id": project, "session_id": None, "name": "chat",
                "input": "question", "output": "answer", "metadata": meta, "timestamp": None}

    return MemoryConnector({
        "traces": [trace("t1", "u1", "p1", "ann@example.com"), trace("t2", "u1", "p1"),
                   trace("t3", "u1", "p2"), trace("t4", "u2", "p1")],
        "observations": [{"id": f"o{n}", "trace_id": f"t{n}", "type": "SPAN", "name": "x", "input": "i",
                          "output": "o", "model": None, "start_time": None} for n in range(1, 5)],
        "scores": [{"id": "s1", "trace_id": "t1", "name": "helpful", "value": 1.0, "comment": None},
                   {"id": "s4", "trace_id": "t4", "name": "helpful", "value": 0.5, "comment": None}],
    })


def test_processor_tables_and_their_project_column(manifest: Manifest) -> None:
    tables = scope.processor_tables(manifest)
    assert set(tables) == {"app_db.traces", "app_db.observations", "app_db.scores"}
    assert tables["app_db.traces"].project_column == "project_id"
    assert tables["app_db.observations"].project_column is None


@pytest.mark.req("PC-2")
def test_erasure_stays_in_the_project(manifest: Manifest) -> None:
    data = store()
    wanted = [matching.Wanted("user_id", "raw", "u1")]
    outcome = execute.run(manifest, {"app_db": data}, "p1", "erasure", wanted, KEY)
    assert outcome.ok, outcome.failures
    assert sorted(r["id"] for r in data.tables["traces"]) == ["t3", "t4"]
    assert sorted(r["id"] for r in data.tables["observations"]) == ["o3", "o4"]
    assert [r["id"] for r in data.tables["scores"]] == ["s4"]


@pytest.mark.parametrize("form", ["raw", "sha256", "md5", "sha1"])
def test_email_in_any_format_finds_the_same_rows(manifest: Manifest, form: str) -> None:
    value = "ann@example.com" if form == "raw" else hashlib.new(form, b"ann@example.com").hexdigest()
    outcome = execute.run(manifest, {"app_db": store()}, "p1", "access",
                          [matching.Wanted("email", form, value)], KEY)
    assert outcome.ok
    assert {r["id"] for r in outcome.rows["app_db.traces"]} == {"t1", "t2"}  # t2 by the user id of t1


def test_a_hash_of_nobody_finds_nothing(manifest: Manifest) -> None:
    value = hashlib.sha256(b"nobody@example.com").hexdigest()
    outcome = execute.run(manifest, {"app_db": store()}, "p1", "access",
                          [matching.Wanted("email", "sha256", value)], KEY)
    assert outcome.rows == {} and outcome.count == 0


def test_identity_sets_spread_values_over_runs() -> None:
    runs = matching.identity_sets({"email": {"b@x.io", "a@x.io"}, "user_id": {"u1"}})
    assert runs == [{"email": "a@x.io", "user_id": "u1"}, {"email": "b@x.io"}]
