from __future__ import annotations

import datetime as dt

import pytest

from privacyops.manifest.schema import Manifest, RetentionRule
from privacyops.package import lookback

UTC = dt.UTC


@pytest.mark.parametrize(
    ("mode", "now", "since"),
    [
        ("12_months", dt.datetime(2025, 6, 30, 12, tzinfo=UTC), dt.datetime(2024, 6, 30, 12, tzinfo=UTC)),
        ("12_months", dt.datetime(2024, 2, 29, tzinfo=UTC), dt.datetime(2023, 2, 28, tzinfo=UTC)),
        ("12_months", dt.datetime(2025, 6, 30, 12), dt.datetime(2024, 6, 30, 12, tzinfo=UTC)),
        ("extended", dt.datetime(2025, 6, 30, tzinfo=UTC), dt.datetime(2022, 1, 1, tzinfo=UTC)),
        ("all", dt.datetime(2025, 6, 30, tzinfo=UTC), None),
    ],
)
@pytest.mark.req("AC-5")
def test_window_start(mode: str, now: dt.datetime, since: dt.datetime | None) -> None:
    assert lookback.window_start(mode, now) == since


def test_an_unknown_mode_is_refused_with_the_choices() -> None:
    with pytest.raises(ValueError, match="12_months, extended, all"):
        lookback.window_start("forever", dt.datetime(2025, 1, 1, tzinfo=UTC))


def test_timestamp_columns_follow_the_naming_convention(example: Manifest) -> None:
    assert lookback.timestamp_column(example, "app_db.traces") == "timestamp"
    assert lookback.timestamp_column(example, "app_db.observations") == "start_time"
    assert lookback.timestamp_column(example, "app_db.invoices") == "issued_at"
    # A creation date is not an event time: the account is held today, whenever it was opened.
    assert lookback.timestamp_column(example, "app_db.users") is None
    assert lookback.timestamp_column(example, "app_db.scores") is None
    assert lookback.timestamp_column(example, "nowhere.table") is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [(dt.datetime(2025, 1, 1, 5), dt.datetime(2025, 1, 1, 5, tzinfo=UTC)),
     (dt.date(2025, 1, 2), dt.datetime(2025, 1, 2, tzinfo=UTC)),
     ("2025-01-03 04:05:06", dt.datetime(2025, 1, 3, 4, 5, 6, tzinfo=UTC)),
     ("2025-01-03T04:05:06Z", dt.datetime(2025, 1, 3, 4, 5, 6, tzinfo=UTC)),
     (dt.datetime(2025, 1, 1, 2, tzinfo=dt.timezone(dt.timedelta(hours=2))),
      dt.datetime(2025, 1, 1, tzinfo=UTC)),
     ("yesterday", None), (None, None), (42, None)],
)
def test_moments_are_read_as_utc(value: object, expected: dt.datetime | None) -> None:
    assert lookback.moment_of(value) == expected


@pytest.mark.req("AC-5")
def test_older_rows_are_left_out_and_counted_undated_rows_stay(example: Manifest) -> None:
    rows = {"app_db.traces": [{"id": "old", "timestamp": dt.datetime(2023, 1, 1)},
                              {"id": "new", "timestamp": dt.datetime(2025, 3, 1)},
                              {"id": "blank", "timestamp": None}],
            "app_db.users": [{"id": "u", "name": "Ada"}]}
    now = dt.datetime(2025, 6, 30, tzinfo=UTC)
    kept, report = lookback.apply_lookback(example, rows, "12_months", now)
    assert [r["id"] for r in kept["app_db.traces"]] == ["new", "blank"]
    assert kept["app_db.users"] == rows["app_db.users"]
    assert report.left_out == {"app_db.traces": 1} and report.undated == {"app_db.traces": 1}
    assert any("1 older record(s)" in n and "extended" in n for n in report.notes)
    assert any("app_db.users carry no date" in n for n in report.notes)
    assert report.describe() == ("This package covers the twelve months before the request: "
                                 "from 2024-06-30 to 2025-06-30.")
    kept, report = lookback.apply_lookback(example, rows, "extended", now)
    assert len(kept["app_db.traces"]) == 3 and report.left_out == {}


def test_a_caller_may_name_the_timestamp_column_or_none(example: Manifest) -> None:
    rows = {"app_db.invoices": [{"id": "i", "issued_at": dt.datetime(2020, 1, 1)}]}
    now = dt.datetime(2025, 6, 30, tzinfo=UTC)
    kept, _ = lookback.apply_lookback(example, rows, "extended", now)
    assert kept["app_db.invoices"] == []
    kept, report = lookback.apply_lookback(example, rows, "extended", now, {"app_db.invoices": None})
    assert len(kept["app_db.invoices"]) == 1 and report.columns["app_db.invoices"] is None


@pytest.mark.req("AC-5")
def test_extended_explains_why_older_data_may_be_gone(example: Manifest) -> None:
    rule = RetentionRule(name="logs-90-days", data=["user.behavior.log_and_usage"], trigger="collected",
                         period="P90D")
    retention = example.retention.model_copy(update={"rules": (rule,)})
    manifest = example.model_copy(update={"retention": retention})
    _, report = lookback.apply_lookback(manifest, {}, "extended", dt.datetime(2025, 6, 30, tzinfo=UTC))
    (note,) = [n for n in report.notes if "logs-90-days" in n]
    assert "Log and usage data is erased 90 days after collection" in note
    _, short = lookback.apply_lookback(manifest, {}, "12_months", dt.datetime(2025, 6, 30, tzinfo=UTC))
    assert not any("logs-90-days" in n for n in short.notes)
