"""Date arithmetic for deadlines: months with end-of-month clamp, calendar and business days, holidays.

Public holidays come from the maintained ``holidays`` library. A calendar is a country code and an
optional subdivision (``DE``/``BE`` for Berlin, ``US``/``CA`` for California), so a deployment can name
the calendar that applies where it operates.
"""

from __future__ import annotations

import calendar as _calendar
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

import holidays

from privacyops.requests import errors


@dataclass(frozen=True)
class HolidayCalendar:
    """A public-holiday calendar: an ISO country code and an optional subdivision code."""

    country: str
    subdiv: str | None = None

    def is_holiday(self, day: date) -> bool:
        """Tell whether ``day`` is a public holiday in this calendar."""
        return day in _holidays(self.country, self.subdiv)

    def is_business_day(self, day: date) -> bool:
        """Tell whether ``day`` is Monday to Friday and not a public holiday."""
        return day.weekday() < 5 and not self.is_holiday(day)

    def holiday_name(self, day: date) -> str | None:
        """Return the holiday's name on ``day``, or None."""
        return _holidays(self.country, self.subdiv).get(day)


def calendar_for(country: str, subdiv: str | None = None, *, field: str = "holidays") -> HolidayCalendar:
    """Return a checked calendar, or raise an error naming the field and the supported codes."""
    country = country.strip().upper()
    supported = holidays.list_supported_countries()
    if country not in supported:
        raise errors.UnknownCalendar(
            f"no holiday calendar for country {country!r}; use an ISO 3166 code such as DE, GB, CH, CA, US",
            field=field,
        )
    if subdiv is not None and subdiv not in supported[country]:
        raise errors.UnknownCalendar(
            f"country {country} has no subdivision {subdiv!r}; use one of: {', '.join(supported[country])}",
            field=field,
        )
    return HolidayCalendar(country, subdiv)


@lru_cache(maxsize=64)
def _holidays(country: str, subdiv: str | None) -> holidays.HolidayBase:
    # The object fills in further years on demand, so one per calendar is enough.
    return holidays.country_holidays(country, subdiv=subdiv)


def add_months(start: date, months: int) -> date:
    """Return the same day ``months`` later, or the last day of a shorter month (01-31 + 1 -> 02-28)."""
    index = start.year * 12 + start.month - 1 + months
    year, month = divmod(index, 12)
    last_day = _calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(start.day, last_day))


def add_days(start: date, days: int, *, count_start_day: bool = False) -> date:
    """Return the end of a period of ``days`` calendar days beginning at ``start``.

    With ``count_start_day`` the start is day 1 (CCPA: received 01-01, 45 days -> 02-14); without it the
    count begins the next day (Switzerland: received 03-03, 30 days -> 04-02).
    """
    return start + timedelta(days=days - 1 if count_start_day else days)


def add_business_days(start: date, days: int, cal: HolidayCalendar) -> date:
    """Return the ``days``-th business day after ``start``; ``start`` itself never counts."""
    current = start
    remaining = days
    while remaining > 0:
        current += timedelta(days=1)
        if cal.is_business_day(current):
            remaining -= 1
    return current


def roll_forward(day: date, cal: HolidayCalendar) -> date:
    """Return ``day`` or, when it is a weekend day or a public holiday, the next business day."""
    while not cal.is_business_day(day):
        day += timedelta(days=1)
    return day
