"""Codes are compared in constant time, and a request bounds its codes and wrong guesses over its life."""

from __future__ import annotations

import hmac
from datetime import UTC, datetime
from typing import Any

import pytest

from privacyops.requests import verification

KEY = b"unit-test-key-0123456789abcdef"
NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


class Spy:
    """Records the arguments of every hmac.compare_digest call, and answers as the real one does."""

    def __init__(self) -> None:
        self.calls: list[tuple[Any, Any]] = []
        self.real = hmac.compare_digest

    def __call__(self, left: Any, right: Any) -> bool:
        self.calls.append((left, right))
        return self.real(left, right)


@pytest.fixture
def spy(monkeypatch: pytest.MonkeyPatch) -> Spy:
    recorder = Spy()
    monkeypatch.setattr(verification.hmac, "compare_digest", recorder)
    return recorder


def test_codes_match_compares_the_keyed_hashes_with_compare_digest(spy: Spy) -> None:
    stored = verification.code_hash(KEY, "req1", "123456")
    assert verification.codes_match(KEY, "req1", "123456", stored) is True
    assert verification.codes_match(KEY, "req1", "123457", stored) is False
    assert len(spy.calls) == 2
    for left, right in spy.calls:
        assert right == stored.encode()  # the stored keyed hash, never the code
        assert len(left) == len(right) == 64  # both sides are hashes of one length: no early exit
        assert b"12345" not in left


def test_check_code_goes_through_the_constant_time_comparison(spy: Spy) -> None:
    code, record = verification.issue_code(KEY, request_id="req1", now=NOW)
    wrong = "000000" if code != "000000" else "111111"
    assert verification.check_code(record, wrong, KEY, now=NOW).outcome is verification.CodeOutcome.WRONG
    assert verification.check_code(record, code, KEY, now=NOW).ok
    assert len(spy.calls) == 2


def test_a_code_is_bound_to_its_request() -> None:
    stored = verification.code_hash(KEY, "req1", "123456")
    assert not verification.codes_match(KEY, "req2", "123456", stored)


@pytest.mark.parametrize(
    ("sent", "failures", "can_send", "locked", "left"),
    [
        (1, 0, True, False, 10),
        (4, 9, True, False, 1),
        (5, 0, False, False, 10),  # every code sent: the last one may still be entered
        (2, 10, False, True, 0),  # too many wrong codes: nothing more, whatever was sent
    ],
)
def test_budget_bounds_codes_and_guesses_over_the_request_life(
    sent: int, failures: int, can_send: bool, locked: bool, left: int
) -> None:
    budget = verification.Budget(codes_sent=sent, failures=failures, max_codes=5, max_failures=10)
    assert (budget.can_send, budget.locked, budget.failures_left) == (can_send, locked, left)


def test_budget_defaults_are_the_settings_defaults() -> None:
    budget = verification.Budget(codes_sent=0, failures=0)
    assert (budget.max_codes, budget.max_failures) == (5, 10)
