"""Periods on timestamps: due dates by calendar months and the cut-off a sweep selects by (ER-4)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from privacyops.retention.periods import Period, cutoff, due


@pytest.mark.req("ER-4")
def test_terminated_on_31_january_is_due_on_28_february() -> None:
    assert due(datetime(2025, 1, 31, tzinfo=UTC), Period.parse("P1M")) == datetime(2025, 2, 28, tzinfo=UTC)


@pytest.mark.parametrize("text", ["P1M", "P30D", "P1Y6M", "PT36H", "P2W"])
def test_a_row_is_expired_exactly_when_its_due_moment_has_passed(text: str) -> None:
    period = Period.parse(text)
    start = datetime(2024, 12, 15, tzinfo=UTC)
    for step in range(0, 900, 7):
        now = start + timedelta(days=step / 7, hours=step % 24)
        for days in range(0, 62, 3):
            row = datetime(2024, 11, 1, 9, tzinfo=UTC) + timedelta(days=days)
            assert (row <= cutoff(now, period)) == (due(row, period) <= now), (text, now, row)


def test_a_period_that_is_not_a_duration_is_refused() -> None:
    with pytest.raises(ValueError, match="ISO 8601"):
        Period.parse("one month")
