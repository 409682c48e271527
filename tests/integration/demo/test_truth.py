"""Ground truth agrees with the data: ownership is complete, disjoint and covers every mention."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from privacyops.demo import generate, schema, truth


def emails(url: str) -> dict[str, str]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return {row.id: row.email for row in conn.execute(sa.text("SELECT id, email FROM users"))}
    finally:
        engine.dispose()


def test_every_trace_belongs_to_exactly_one_user(demo_db: tuple[str, generate.DemoSummary]) -> None:
    url, summary = demo_db
    seen: dict[str, str] = {}
    for user in emails(url):
        for trace in truth.ground_truth(url, user)["traces"]:
            assert trace not in seen, f"{trace} belongs to {seen[trace]} and {user}"
            seen[trace] = user
    assert len(seen) == summary.rows["traces"]


def test_every_mention_of_an_email_is_in_its_owners_ground_truth(
    demo_db: tuple[str, generate.DemoSummary],
) -> None:
    url, _ = demo_db
    addresses = emails(url)
    for user in ["u_1", "u_4", "u_7", "u_8", "u_23", "u_40"]:
        owned = truth.ground_truth(url, user)
        mentions = truth.identity_matches(url, [addresses[user]])
        assert mentions, f"no row mentions {user}'s email"
        for table, ids in mentions.items():
            assert ids <= owned[table], f"{table}: rows {sorted(ids - owned[table])[:5]} mention {user}"


def test_subjects_do_not_share_rows(demo_db: tuple[str, generate.DemoSummary]) -> None:
    url, _ = demo_db
    owned = [truth.ground_truth(url, schema.subject_user_id(n)) for n in range(1, schema.SUBJECT_COUNT + 1)]
    for table in truth.OWNERSHIP_QUERIES:
        ids = [row for person in owned for row in person[table]]
        assert len(ids) == len(set(ids)), table


def test_checksums_ignore_excluded_rows_and_see_changes(demo_db: tuple[str, generate.DemoSummary]) -> None:
    url, _ = demo_db
    owned = truth.ground_truth(url, "u_2")
    before = truth.checksums(url, exclude=owned)
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE traces SET input = '{}' WHERE user_id = 'u_2'"))
    assert truth.checksums(url, exclude=owned) == before
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE traces SET input = '{}' WHERE user_id = 'u_3'"))
    engine.dispose()
    assert truth.checksums(url, exclude=owned)["traces"] != before["traces"]


def test_unknown_user_is_an_error(demo_db: tuple[str, generate.DemoSummary]) -> None:
    url, _ = demo_db
    with pytest.raises(truth.UnknownDemoUser):
        truth.ground_truth(url, "u_999999")
