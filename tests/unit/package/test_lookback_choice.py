"""Choosing a lookback as written (all, 12m, extended, a date) and dating rows through a reference."""

from __future__ import annotations

import datetime as dt

import pytest

from privacyops.manifest.schema import Manifest
from privacyops.package import lookback

UTC = dt.UTC
NOW = dt.datetime(2026, 6, 30, 12, tzinfo=UTC)


@pytest.mark.req("AC-5")
@pytest.mark.parametrize(
    ("text", "mode", "since", "token"),
    [("all", "all", None, "all"), ("12m", "12_months", None, "12m"),
     ("12_months", "12_months", None, "12m"), (" Extended ", "extended", None, "extended"),
     ("2023-05-01", "since", dt.date(2023, 5, 1), "2023-05-01")],
)
def test_a_lookback_is_read_as_written(text: str, mode: str, since: dt.date | None, token: str) -> None:
    choice = lookback.parse(text, reason="why")
    assert (choice.mode, choice.since, choice.reason, choice.token) == (mode, since, "why", token)
    assert lookback.Choice.from_json(choice.as_json()) == choice


@pytest.mark.parametrize("text", ["forever", "13m", "2023-13-01", ""])
def test_an_unknown_lookback_lists_the_choices(text: str) -> None:
    with pytest.raises(lookback.LookbackError, match="use all, 12m, extended or a date such as 2023-01-01"):
        lookback.parse(text)


@pytest.mark.req("AC-5")
def test_a_date_lookback_keeps_rows_from_that_day_and_says_so(example: Manifest) -> None:
    rows = {"app_db.traces": [{"id": "before", "timestamp": "2023-04-30 23:59:59"},
                              {"id": "on", "timestamp": "2023-05-01 00:00:00"}]}
    kept, report = lookback.apply_lookback(example, rows, lookback.parse("2023-05-01", reason="You asked."),
                                           NOW)
    assert [r["id"] for r in kept["app_db.traces"]] == ["on"]
    assert report.left_out == {"app_db.traces": 1}
    assert report.as_json()["mode"] == "since" and report.as_json()["reason"] == "You asked."
    assert report.lines()[:2] == [
        "This package covers everything collected on or after 2023-05-01: from 2023-05-01 to 2026-06-30.",
        "You asked."]
    assert any("1 older record(s)" in n and "app_db.traces (1)" in n for n in report.notes)


@pytest.mark.req("AC-5")
def test_rows_without_a_date_of_their_own_take_the_date_of_the_row_they_reference(example: Manifest) -> None:
    rows = {"app_db.traces": [{"id": "t_old", "timestamp": dt.datetime(2021, 3, 1)},
                              {"id": "t_new", "timestamp": dt.datetime(2026, 3, 1)}],
            "app_db.scores": [{"id": "s_old", "trace_id": "t_old"}, {"id": "s_new", "trace_id": "t_new"},
                              {"id": "s_lost", "trace_id": "t_elsewhere"}]}
    kept, report = lookback.apply_lookback(example, rows, "extended", NOW)
    assert [r["id"] for r in kept["app_db.scores"]] == ["s_new", "s_lost"]
    assert report.left_out == {"app_db.traces": 1, "app_db.scores": 1}
    assert report.columns["app_db.scores"] == "trace_id -> app_db.traces.timestamp"
    # A score whose trace is not in the answer cannot be dated: it stays, and is counted as undated.
    assert report.undated == {"app_db.scores": 1}
    # Naming no column for the table keeps every row, dated or not.
    kept, _ = lookback.apply_lookback(example, rows, "extended", NOW, {"app_db.scores": None})
    assert len(kept["app_db.scores"]) == 3


def test_the_extended_period_is_not_offered_when_it_is_already_given(example: Manifest) -> None:
    rows = {"app_db.traces": [{"id": "t", "timestamp": dt.datetime(2021, 3, 1)}]}
    _, report = lookback.apply_lookback(example, rows, "extended", NOW)
    (note,) = [n for n in report.notes if "older record(s)" in n]
    assert "dated before 2022-01-01" in note and "ask for the extended period" not in note
