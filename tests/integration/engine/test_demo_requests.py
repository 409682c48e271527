"""Access and erasure on the real demo database, checked against the generator's ground truth."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from privacyops.connectors.sql import SqlConnector
from privacyops.demo import truth
from privacyops.demo.generate import build_demo
from privacyops.engine.plan import build_plan
from privacyops.engine.run import run_access, run_erasure
from privacyops.manifest.load import load_manifest
from privacyops.manifest.schema import Field, Manifest

EXAMPLE = Path(__file__).parents[3] / "src/privacyops/examples/langfuse/privacy.yml"
KEY = b"integration-test-key"
SUBJECT = {"email": "subject1@example.com"}


def with_field(manifest: Manifest, table: str, field: str, **spec: Any) -> Manifest:
    """Return the manifest with one field of app_db replaced (the shipped file stays as it is)."""
    system = manifest.systems["app_db"]
    old = system.tables[table]
    fields = {**old.fields, field: Field.model_validate(spec)}
    tables = {**system.tables, table: old.model_copy(update={"fields": fields})}
    systems = {**manifest.systems, "app_db": system.model_copy(update={"tables": tables})}
    return manifest.model_copy(update={"systems": systems})


@pytest.fixture(scope="module")
def shipped() -> Manifest:
    return load_manifest(EXAMPLE)


@pytest.fixture(scope="module")
def erasable(shipped: Manifest) -> Manifest:
    # The shipped manifest erases cleanly as it is: API key secrets belong to the project and stay.
    return shipped


@pytest.fixture
def demo(db_url: str) -> Iterator[tuple[str, SqlConnector]]:
    build_demo(db_url, users=30, traces=1400, seed=5)
    connector = SqlConnector(db_url)
    yield db_url, connector
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


@pytest.mark.req("AC-4")
def test_access_states_secrets_without_disclosing_them(demo: tuple[str, SqlConnector],
                                                      shipped: Manifest) -> None:
    url, connector = demo
    result = run_access(build_plan(shipped, SUBJECT, "access"), {"app_db": connector}, SUBJECT)
    (user,) = result.rows["app_db.users"]
    assert user["password_hash"] == "set"
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        secrets = [conn.execute(sa.text("SELECT password_hash FROM users WHERE id = 'u_1'")).scalar_one()]
        tokens = sa.text("SELECT session_token FROM sessions WHERE user_id = 'u_1'")
        secrets += list(conn.execute(tokens).scalars())
    engine.dispose()
    text = repr(result.rows)
    assert secrets and all(s and s not in text for s in secrets)


@pytest.mark.req("ER-1", "ER-2")
def test_erasure_leaves_no_match_and_spares_everyone_else(demo: tuple[str, SqlConnector],
                                                          erasable: Manifest) -> None:
    url, connector = demo
    owned = truth.ground_truth(url, "u_1")
    before = truth.checksums(url, exclude=owned)
    result = run_erasure(build_plan(erasable, SUBJECT, "erasure"), {"app_db": connector}, KEY, SUBJECT)
    assert result.ok, result.failures()
    assert all(e.remaining == 0 or e.held for e in result.evidence)
    assert truth.user_id_matches(url, "u_1") == {}
    # Only the billing record kept under the tax hold may still carry the email, and the result says so.
    left = truth.identity_matches(url, [SUBJECT["email"]])
    assert set(left) <= {"billing_customers"}
    assert left.get("billing_customers", set()) <= owned["billing_customers"]
    if owned["invoices"]:
        assert result.held["app_db.invoices"] == len(owned["invoices"])
    assert truth.checksums(url, exclude=owned) == before


def test_erasure_twice_gives_the_same_end_state(demo: tuple[str, SqlConnector], erasable: Manifest) -> None:
    url, connector = demo
    plan = build_plan(erasable, SUBJECT, "erasure")
    assert run_erasure(plan, {"app_db": connector}, KEY, SUBJECT).ok
    after_first = truth.checksums(url)
    again = run_erasure(plan, {"app_db": connector}, KEY, SUBJECT)
    assert again.ok, again.failures()
    assert truth.checksums(url) == after_first


@pytest.mark.req("ER-6")
def test_a_field_that_cannot_be_nulled_fails_loudly(demo: tuple[str, SqlConnector],
                                                    shipped: Manifest) -> None:
    url, connector = demo
    manifest = with_field(shipped, "api_keys", "hashed_secret_key",
                          categories=["user.authorization.credentials"], erase="null")
    result = run_erasure(build_plan(manifest, SUBJECT, "erasure"), {"app_db": connector}, KEY, SUBJECT)
    assert not result.ok
    reasons = {s.table: s.reason for s in result.failures()}
    assert "api_keys.hashed_secret_key cannot be erased" in reasons["app_db.api_keys"]
    assert "waits for app_db.api_keys" in reasons["app_db.users"]
    assert truth.user_id_matches(url, "u_1").get("users.id") == 1  # nothing claims the subject is gone


@pytest.mark.req("ER-6")
def test_a_declared_column_missing_from_the_database_fails_loudly(demo: tuple[str, SqlConnector],
                                                                  erasable: Manifest) -> None:
    _, connector = demo
    manifest = with_field(erasable, "marketing_contacts", "phone", categories=["user.contact.phone_number"])
    result = run_erasure(build_plan(manifest, SUBJECT, "erasure"), {"app_db": connector}, KEY, SUBJECT)
    assert not result.ok
    (failure,) = result.failures()
    assert failure.table == "app_db.marketing_contacts"
    assert "marketing_contacts.phone is declared but is not a column" in failure.reason
