from __future__ import annotations

from datetime import date

import pytest

from privacyops.requests import calendars, errors
from privacyops.requests.calendars import HolidayCalendar

BERLIN = HolidayCalendar("DE", "BE")
CALIFORNIA = HolidayCalendar("US", "CA")


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2025, 1, 31), 1, date(2025, 2, 28)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2025, 1, 31), 3, date(2025, 4, 30)),
        (date(2025, 3, 15), 1, date(2025, 4, 15)),
        (date(2025, 12, 31), 2, date(2026, 2, 28)),
        (date(2025, 3, 31), -12, date(2024, 3, 31)),
        (date(2024, 2, 29), -12, date(2023, 2, 28)),
    ],
)
@pytest.mark.req("DL-0")
def test_add_months_clamps_to_the_end_of_a_shorter_month(start: date, months: int, expected: date) -> None:
    assert calendars.add_months(start, months) == expected


@pytest.mark.parametrize(
    ("start", "days", "count_start", "expected"),
    [
        (date(2025, 1, 1), 45, True, date(2025, 2, 14)),
        (date(2025, 1, 1), 90, True, date(2025, 3, 31)),
        (date(2025, 3, 3), 30, False, date(2025, 4, 2)),
        (date(2025, 3, 3), 1, True, date(2025, 3, 3)),
    ],
)
@pytest.mark.req("DL-0")
def test_add_days_counts_the_receipt_day_only_when_asked(
    start: date, days: int, count_start: bool, expected: date
) -> None:
    assert calendars.add_days(start, days, count_start_day=count_start) == expected


@pytest.mark.parametrize(
    ("start", "days", "cal", "expected"),
    [
        (date(2025, 3, 3), 10, CALIFORNIA, date(2025, 3, 17)),
        (date(2025, 3, 3), 15, CALIFORNIA, date(2025, 3, 24)),
        (date(2025, 3, 28), 1, CALIFORNIA, date(2025, 4, 1)),  # skips the weekend and Cesar Chavez Day
        (date(2025, 4, 17), 1, BERLIN, date(2025, 4, 22)),  # skips Good Friday to Easter Monday
        (date(2025, 3, 8), 1, BERLIN, date(2025, 3, 10)),  # a Saturday start counts from Monday
    ],
)
@pytest.mark.req("DL-0")
def test_add_business_days_skips_weekends_and_holidays(
    start: date, days: int, cal: HolidayCalendar, expected: date
) -> None:
    assert calendars.add_business_days(start, days, cal) == expected


@pytest.mark.req("DL-0")
def test_roll_forward_moves_only_weekends_and_holidays() -> None:
    assert calendars.roll_forward(date(2025, 5, 1), BERLIN) == date(2025, 5, 2)
    assert calendars.roll_forward(date(2025, 5, 2), BERLIN) == date(2025, 5, 2)
    assert calendars.roll_forward(date(2025, 12, 25), BERLIN) == date(2025, 12, 29)


def test_calendar_names_holidays() -> None:
    assert CALIFORNIA.holiday_name(date(2025, 3, 31)) == "Cesar Chavez Day"
    assert BERLIN.is_holiday(date(2025, 3, 8))
    assert not HolidayCalendar("DE").is_holiday(date(2025, 3, 8))  # Women's Day is Berlin's alone


def test_calendar_for_checks_country_and_subdivision() -> None:
    assert calendars.calendar_for("de", "BY") == HolidayCalendar("DE", "BY")
    with pytest.raises(errors.UnknownCalendar) as caught:
        calendars.calendar_for("XX", field="regions.eea.holidays")
    assert caught.value.field == "regions.eea.holidays"
    with pytest.raises(errors.UnknownCalendar, match="BE"):
        calendars.calendar_for("DE", "ZZ")
