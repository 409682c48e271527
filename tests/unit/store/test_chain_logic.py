from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from privacyops.audit import chain
from privacyops.store.models import AuditEvent
from privacyops.store.models.types import UtcDateTime


def _event(**changes: object) -> AuditEvent:
    values: dict[str, object] = {
        "id": 1,
        "created_at": datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=UTC),
        "actor": "api",
        "action": "request.created",
        "entity": "request",
        "entity_id": "42",
        "data": {"b": 1, "a": [1, 2]},
        "prev_hash": chain.GENESIS_HASH,
    }
    values.update(changes)
    return AuditEvent(**values)


def test_canonical_json_is_order_independent() -> None:
    assert chain.canonical_json({"b": 1, "a": "é"}) == chain.canonical_json({"a": "é", "b": 1})
    assert chain.canonical_json({"a": "é"}) == '{"a":"é"}'


def test_hash_is_stable_across_timezones() -> None:
    berlin = timezone(timedelta(hours=1))
    same_moment = datetime(2026, 1, 2, 4, 4, 5, 678901, tzinfo=berlin)
    assert chain.event_hash(_event()) == chain.event_hash(_event(created_at=same_moment))


@pytest.mark.parametrize(
    "change",
    [
        {"id": 2},
        {"actor": "admin"},
        {"action": "request.deleted"},
        {"entity": "consent"},
        {"entity_id": "43"},
        {"data": {"b": 2, "a": [1, 2]}},
        {"prev_hash": "1" * 64},
        {"created_at": datetime(2026, 1, 2, 3, 4, 5, 678902, tzinfo=UTC)},
    ],
)
@pytest.mark.req("RK-4")
def test_every_field_is_covered_by_the_hash(change: dict[str, object]) -> None:
    assert chain.event_hash(_event()) != chain.event_hash(_event(**change))


def test_identity_hash_normalises_and_keys() -> None:
    plain = chain.identity_hash(" Ada@Example.com ")
    assert plain == chain.identity_hash("ada@example.com")
    assert "@" not in plain and len(plain) == 64
    keyed = {chain.identity_hash("ada@example.com", key=key) for key in (b"k1", b"k2")}
    assert len(keyed) == 2 and plain not in keyed


@pytest.mark.parametrize(
    ("data", "path"),
    [
        ({"email": "x@y.org"}, "data.email"),
        ({"nested": {"list": ["ok", "mail me at a.b@c.de"]}}, r"data.nested.list\[1\]"),
    ],
)
def test_personal_data_is_refused(data: dict[str, object], path: str) -> None:
    with pytest.raises(chain.PersonalDataInAudit, match=path):
        chain._check_no_personal_data(data)


def test_ids_and_hashes_are_allowed() -> None:
    chain._check_no_personal_data({"subject": chain.identity_hash("a@b.co"), "request": 7, "at": "x@"})


def test_utc_column_refuses_naive_and_reads_naive_as_utc() -> None:
    column = UtcDateTime()
    with pytest.raises(ValueError, match="naive"):
        column.process_bind_param(datetime(2026, 1, 1), None)  # type: ignore[arg-type]
    read = column.process_result_value(datetime(2026, 1, 1, 12), None)  # type: ignore[arg-type]
    assert read == datetime(2026, 1, 1, 12, tzinfo=UTC)
