"""The SQL connector on a real MySQL/MariaDB server (scripts/mariadb.sh starts one).

Each test gets a fresh database on the server named by ``PRIVACYOPS_TEST_MYSQL_URL``; without that
variable the fixture fails, so these tests always run in CI instead of being skipped.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from privacyops.connectors.base import Match, ReplaceText, SetNull
from privacyops.connectors.sql import SqlConnector
from privacyops.demo import truth
from privacyops.demo.generate import build_demo
from privacyops.engine.plan import build_plan
from privacyops.engine.run import run_access, run_erasure
from privacyops.manifest.load import load_manifest
from privacyops.manifest.schema import Manifest

EXAMPLE = Path(__file__).parents[3] / "src/privacyops/examples/langfuse/privacy.yml"
KEY = b"mysql-integration-key"
SUBJECT = {"email": "subject1@example.com"}


@pytest.fixture(scope="session")
def mysql_admin_url() -> str:
    url = os.environ.get("PRIVACYOPS_TEST_MYSQL_URL")
    if not url:
        pytest.fail("the MySQL tests need PRIVACYOPS_TEST_MYSQL_URL (eval \"$(bash scripts/mariadb.sh)\")")
    return url


@pytest.fixture
def mysql_url(mysql_admin_url: str) -> Iterator[str]:
    """URL of an empty database on the MySQL/MariaDB server, private to this test."""
    name = f"t_{uuid.uuid4().hex[:16]}"
    admin = sa.create_engine(mysql_admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin")
    try:
        yield mysql_admin_url.rstrip("/") + f"/{name}?charset=utf8mb4"
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f"DROP DATABASE IF EXISTS `{name}`")
        admin.dispose()


@pytest.fixture(scope="module")
def shipped() -> Manifest:
    return load_manifest(EXAMPLE)


@pytest.fixture
def demo(mysql_url: str) -> Iterator[tuple[str, SqlConnector]]:
    build_demo(mysql_url, users=30, traces=1400, seed=5)
    connector = SqlConnector(mysql_url)
    yield mysql_url, connector
    connector.close()


def test_the_server_is_mysql_or_mariadb(mysql_url: str) -> None:
    connector = SqlConnector(mysql_url)
    try:
        assert connector.engine.dialect.name in ("mysql", "mariadb")
    finally:
        connector.close()


@pytest.mark.parametrize("identities", [{"email": "subject1@example.com"}, {"user_id": "u_1"}])
def test_access_returns_exactly_the_ground_truth(demo: tuple[str, SqlConnector], shipped: Manifest,
                                                 identities: dict[str, str]) -> None:
    url, connector = demo
    result = run_access(build_plan(shipped, identities, "access"), {"app_db": connector}, identities)
    assert result.ok, result.steps
    expected = truth.ground_truth(url, "u_1")
    got = {table_id.split(".", 1)[1]: {row["id"] for row in rows} for table_id, rows in result.rows.items()}
    assert {t: ids for t, ids in got.items() if ids} == {t: ids for t, ids in expected.items() if ids}
    assert len(got["traces"]) == 100 and len(got["observations"]) == 300


def test_erasure_leaves_no_match_and_spares_everyone_else(demo: tuple[str, SqlConnector],
                                                          shipped: Manifest) -> None:
    url, connector = demo
    owned = truth.ground_truth(url, "u_1")
    assert owned["traces"] and owned["users"] == {"u_1"}
    before = truth.checksums(url, exclude=owned)
    result = run_erasure(build_plan(shipped, SUBJECT, "erasure"), {"app_db": connector}, KEY, SUBJECT)
    assert result.ok, result.failures()
    assert all(e.remaining == 0 or e.held for e in result.evidence)
    assert truth.user_id_matches(url, "u_1") == {}
    # Only the billing record kept under the tax hold may still carry the email.
    left = truth.identity_matches(url, [SUBJECT["email"]])
    assert set(left) <= {"billing_customers"}
    assert left.get("billing_customers", set()) <= owned["billing_customers"]
    assert truth.checksums(url, exclude=owned) == before
    # Erasing again finds nothing more to change.
    after_first = truth.checksums(url)
    again = run_erasure(build_plan(shipped, SUBJECT, "erasure"), {"app_db": connector}, KEY, SUBJECT)
    assert again.ok, again.failures()
    assert truth.checksums(url) == after_first


@pytest.fixture
def events(mysql_url: str) -> Iterator[SqlConnector]:
    """A small table with JSON text and a two-column key, for the connector's own statements."""
    engine = sa.create_engine(mysql_url)
    meta = sa.MetaData()
    table = sa.Table(
        "events", meta,
        sa.Column("tenant", sa.String(40), primary_key=True),
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("email", sa.String(200)),
        sa.Column("note", sa.Text),
        sa.Column("payload", sa.Text),
    )
    meta.create_all(engine)
    rows = [
        {"tenant": "a", "id": 1, "email": "ann@example.com", "note": "from ann@example.com",
         "payload": json.dumps({"user": {"email": "ann@example.com", "plan": "pro"}})},
        {"tenant": "a", "id": 2, "email": "bob@example.com", "note": "bob",
         "payload": json.dumps({"user": {"email": "bob@example.com"}})},
        {"tenant": "b", "id": 1, "email": "ann@example.com", "note": None,
         "payload": json.dumps({"user": {"email": "ann@example.com"}})},
        {"tenant": "b", "id": 2, "email": None, "note": "no payload", "payload": None},
    ]
    with engine.begin() as conn:
        conn.execute(table.insert(), rows)
    engine.dispose()
    connector = SqlConnector(mysql_url, batch_size=2)
    yield connector
    connector.close()


def test_json_path_lookups_find_count_update_and_delete(events: SqlConnector) -> None:
    ann = Match(("payload->user.email",), (("ann@example.com",),))
    found = events.find("events", ann, ["tenant", "id"])
    assert sorted((r["tenant"], r["id"]) for r in found) == [("a", 1), ("b", 1)]
    assert events.count("events", Match(("payload->user.plan",), (("pro",),))) == 1
    assert events.update("events", ann, {"note": ReplaceText(("ann@example.com",), "[erased]"),
                                         "email": SetNull()}) == 2
    rows = events.find("events", Match(("tenant",), (("a",), ("b",))), ["tenant", "id", "email", "note"])
    by_key = {(r["tenant"], r["id"]): r for r in rows}
    assert by_key[("a", 1)]["note"] == "from [erased]" and by_key[("a", 1)]["email"] is None
    assert by_key[("a", 2)]["email"] == "bob@example.com"
    assert events.delete("events", ann) == 2
    assert events.count("events", ann) == 0
    assert events.count("events", Match(("tenant",), (("a",), ("b",)))) == 2


def test_tuple_in_over_several_batches(events: SqlConnector) -> None:
    keys = Match(("tenant", "id"), (("a", 1), ("b", 1), ("b", 2), ("c", 9)))
    assert events.count("events", keys) == 3  # batch size 2: two statements
    assert sorted(r["id"] for r in events.find("events", keys, ["id"])) == [1, 1, 2]
    assert events.delete("events", keys) == 3
    assert events.count("events", Match(("tenant",), (("a",), ("b",)))) == 1


def test_inspect_reads_the_catalogue(events: SqlConnector) -> None:
    shape = events.inspect("events")
    assert shape is not None
    assert set(shape.columns) == {"tenant", "id", "email", "note", "payload"}
    assert ("tenant", "id") in shape.indexes
    assert events.inspect("missing") is None
