from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest

from privacyops.requests import errors, verification
from privacyops.requests.verification import CodeOutcome

KEY = b"k" * 32
NOW = datetime(2025, 3, 3, 12, tzinfo=UTC)


def issued(
    ttl: timedelta = verification.DEFAULT_CODE_TTL, digits: int = 6
) -> tuple[str, verification.CodeRecord]:
    return verification.issue_code(KEY, request_id="req-1", now=NOW, ttl=ttl, digits=digits)


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 10**len(code):0{len(code)}d}"


@pytest.mark.req("INT-7")
def test_code_has_six_digits_and_is_kept_only_as_a_keyed_hash() -> None:
    code, record = issued()
    assert len(code) == 6 and code.isdigit()
    assert code not in repr(record)
    assert record.code_hash == verification.code_hash(KEY, "req-1", code)
    assert record.code_hash != verification.code_hash(b"x" * 32, "req-1", code)
    assert record.expires_at == NOW + verification.DEFAULT_CODE_TTL


def test_codes_are_random() -> None:
    assert len({issued()[0] for _ in range(30)}) > 20


def test_longer_codes_and_a_floor_of_six_digits() -> None:
    assert len(issued(digits=8)[0]) == 8
    with pytest.raises(errors.VerificationRefused) as caught:
        issued(digits=4)
    assert caught.value.field == "digits"


def test_right_code_verifies_once() -> None:
    code, record = issued()
    first = verification.check_code(record, code, KEY, now=NOW + timedelta(minutes=1))
    assert first.ok and first.record.used_at == NOW + timedelta(minutes=1)
    second = verification.check_code(first.record, code, KEY, now=NOW + timedelta(minutes=2))
    assert second.outcome is CodeOutcome.USED
    with pytest.raises(errors.VerificationRefused) as caught:
        second.raise_unless_ok()
    assert caught.value.field == "code" and "already used" in str(caught.value)


def test_code_is_bound_to_its_request() -> None:
    code, record = issued()
    other = dataclasses.replace(record, request_id="req-2")
    assert verification.check_code(other, code, KEY, now=NOW).outcome is CodeOutcome.WRONG


@pytest.mark.req("INT-7")
def test_code_after_expiry_is_refused() -> None:
    code, record = issued(ttl=timedelta(minutes=10))
    check = verification.check_code(record, code, KEY, now=NOW + timedelta(minutes=10))
    assert check.outcome is CodeOutcome.EXPIRED
    assert "expired" in check.message


def test_at_most_five_attempts() -> None:
    code, record = issued()
    outcomes = []
    for _ in range(5):
        check = verification.check_code(record, wrong(code), KEY, now=NOW)
        record = check.record
        outcomes.append(check.outcome)
    assert outcomes == [CodeOutcome.WRONG] * 4 + [CodeOutcome.LOCKED]
    assert record.failed_attempts == 5 and record.locked
    assert verification.check_code(record, code, KEY, now=NOW).outcome is CodeOutcome.LOCKED


def test_attempts_left_counts_down() -> None:
    code, record = issued()
    check = verification.check_code(record, wrong(code), KEY, now=NOW)
    assert check.attempts_left == 4 and not check.ok
    check = verification.check_code(check.record, code, KEY, now=NOW)
    assert check.ok and check.record.failed_attempts == 1


def test_submitted_code_tolerates_surrounding_spaces() -> None:
    code, record = issued()
    assert verification.check_code(record, f" {code} ", KEY, now=NOW).ok


def test_link_token_works_like_a_code() -> None:
    token, record = verification.issue_link_token(KEY, request_id="req-9", now=NOW)
    assert len(token) >= 40
    assert record.expires_at == NOW + verification.DEFAULT_LINK_TTL
    assert verification.check_code(record, token, KEY, now=NOW + timedelta(hours=1)).ok


def test_short_server_key_is_refused_naming_the_setting() -> None:
    with pytest.raises(errors.VerificationRefused) as caught:
        verification.issue_code(b"short", request_id="r", now=NOW)
    assert caught.value.field == "secret_key" and "PRIVACYOPS_SECRET_KEY" in str(caught.value)


@pytest.mark.req("INT-7")
def test_int7_verification_artefacts_carry_a_ttl_and_are_purged_after_it() -> None:
    _, live = issued(ttl=timedelta(minutes=30))
    _, expired = verification.issue_code(KEY, request_id="r2", now=NOW - timedelta(hours=1))
    code, to_use = verification.issue_code(KEY, request_id="r3", now=NOW)
    used = verification.check_code(to_use, code, KEY, now=NOW)
    assert used.ok
    points = verification.evidence("req-1", "data_points", "blob/1", now=NOW, ttl=timedelta(days=1))
    two_days_ago = NOW - timedelta(days=2)
    declaration = verification.evidence(
        "req-1", "signed_declaration", "blob/2", now=two_days_ago, ttl=timedelta(days=1)
    )
    artefacts = [live, expired, used.record, points, declaration]
    assert all(a.expires_at is not None for a in artefacts)
    assert verification.purge_due(artefacts, NOW) == [expired, used.record, declaration]
    assert verification.purge_due(artefacts, NOW + timedelta(days=1)) == artefacts
