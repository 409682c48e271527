"""The generated demo database: sizes, determinism, the subjects and the free text."""

from __future__ import annotations

import json
import re
from collections.abc import Callable

import pytest
import sqlalchemy as sa

from privacyops.demo import generate, schema, truth

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
PHONE = re.compile(r"\+\d{1,3}[\d ()-]{6,}\d")
IBAN = re.compile(r"\b[A-Z]{2}\d{2}[A-Z0-9]{10,30}\b")
CARD = re.compile(r"\b\d{15,16}\b")


def count(url: str, table: str, where: str = "", **params: str) -> int:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(sa.text(f"SELECT count(*) FROM {table} {where}"), params).scalar_one())
    finally:
        engine.dispose()


def fetch(url: str, sql: str) -> list[sa.Row]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return list(conn.execute(sa.text(sql)))
    finally:
        engine.dispose()


def test_row_counts_match_the_summary_and_the_sizes(demo_db: tuple[str, generate.DemoSummary]) -> None:
    url, summary = demo_db
    assert set(summary.rows) == set(schema.TABLE_NAMES)
    for table, expected in summary.rows.items():
        assert count(url, table) == expected, table
    assert summary.rows["users"] == 40
    assert summary.rows["traces"] == 1400
    assert summary.rows["observations"] == 3 * 1400
    assert summary.rows["scores"] == 1400
    assert count(url, "observations", "WHERE trace_id NOT IN (SELECT id FROM traces)") == 0


def test_same_seed_same_data_other_seed_other_data(make_db_url: Callable[[str], str]) -> None:
    first, second, third = make_db_url("first"), make_db_url("second"), make_db_url("third")
    generate.build_demo(first, users=30, traces=900, seed=5)
    generate.build_demo(second, users=30, traces=900, seed=5)
    generate.build_demo(third, users=30, traces=900, seed=6)
    sums = truth.checksums(first)
    assert sums == truth.checksums(second)
    other = truth.checksums(third)
    assert other["traces"] != sums["traces"]
    assert other["users"] != sums["users"]


def test_rebuilding_replaces_the_old_tables(db_url: str) -> None:
    generate.build_demo(db_url, users=50, traces=2100, seed=1)
    generate.build_demo(db_url, users=20, traces=700, seed=1)
    assert count(db_url, "users") == 20
    assert count(db_url, "traces") == 700
    assert count(db_url, "observations") == 2100


@pytest.mark.parametrize("users, traces", [(7, 700), (8, 699), (0, 0)])
def test_too_small_a_demo_is_refused(db_url: str, users: int, traces: int) -> None:
    with pytest.raises(generate.DemoSizeError, match="at least 8 users and 700 traces"):
        generate.build_demo(db_url, users=users, traces=traces)


def test_each_subject_has_100_traces_and_rows_in_every_table(
    demo_db: tuple[str, generate.DemoSummary],
) -> None:
    url, _ = demo_db
    for number in range(1, schema.SUBJECT_COUNT + 1):
        user = schema.subject_user_id(number)
        assert (
            count(url, "users", "WHERE id = :u AND email = :e", u=user, e=schema.subject_email(number)) == 1
        )
        owned = truth.ground_truth(url, user)
        assert len(owned["traces"]) == 100
        assert len(owned["observations"]) == 300
        assert len(owned["scores"]) == 100
        empty = [table for table, ids in owned.items() if not ids]
        assert empty == [], f"{user} has no rows in {empty}"
        sent = count(url, "invitations", "WHERE invited_by_user_id = :u", u=user)
        received = count(url, "invitations", "WHERE email = :e", e=schema.subject_email(number))
        assert (sent, received) == (2, 1)
        assert count(url, "marketing_contacts", "WHERE email = :e", e=schema.subject_email(number)) == 1


def test_indexes_are_built_after_the_load(demo_db: tuple[str, generate.DemoSummary]) -> None:
    url, _ = demo_db
    engine = sa.create_engine(url)
    try:
        inspector = sa.inspect(engine)
        names = {index["name"] for index in inspector.get_indexes("traces")}
        assert {"ix_traces_user_id", "ix_traces_project_id"} <= names
        unique = [index for index in inspector.get_indexes("users") if index["name"] == "ux_users_email"]
        assert unique and unique[0]["unique"]
        keys = {
            (fk["constrained_columns"][0], fk["referred_table"])
            for fk in inspector.get_foreign_keys("observations")
        }
        assert keys == {("trace_id", "traces")}
    finally:
        engine.dispose()


def test_free_text_is_llm_chat_json_with_personal_data(demo_db: tuple[str, generate.DemoSummary]) -> None:
    url, _ = demo_db
    rows = fetch(url, "SELECT input, output, metadata FROM traces")
    texts = [f"{row.input} {row.output}" for row in rows]
    for row in rows:
        body = json.loads(row.input)
        assert "messages" in body
        assert any(message["role"] == "user" for message in body["messages"])
        json.loads(row.output)
        json.loads(row.metadata)
    with_email = sum(1 for text in texts if EMAIL.search(text))
    with_phone = sum(1 for text in texts if PHONE.search(text))
    assert with_email > len(rows) * 0.2
    assert with_phone > len(rows) * 0.2
    assert any(IBAN.search(text) for text in texts)
    assert any(CARD.search(text) for text in texts)
    assert any(json.loads(row.metadata).get("user", {}).get("email") for row in rows)
    generations = fetch(url, "SELECT input, model FROM observations WHERE type = 'GENERATION'")
    assert len(generations) == 1400
    assert all(row.model for row in generations)
    assert sum(1 for row in generations if EMAIL.search(row.input)) > 100


def test_subject_email_appears_in_their_own_free_text(demo_db: tuple[str, generate.DemoSummary]) -> None:
    url, _ = demo_db
    email = schema.subject_email(1)
    in_input = count(url, "traces", "WHERE user_id = 'u_1' AND input LIKE :p", p=f"%{email}%")
    in_metadata = count(url, "traces", "WHERE user_id = 'u_1' AND metadata LIKE :p", p=f'%"email":"{email}"%')
    assert in_input > 0
    assert in_metadata > 0
