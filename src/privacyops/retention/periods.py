"""ISO 8601 periods on timestamps: when a record falls due, and the cut-off a sweep selects by."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

PARTS = re.compile(
    r"^P(?:(?P<y>\d+)Y)?(?:(?P<mo>\d+)M)?(?:(?P<w>\d+)W)?(?:(?P<d>\d+)D)?"
    r"(?:T(?:(?P<h>\d+)H)?(?:(?P<mi>\d+)M)?(?:(?P<s>\d+)S)?)?$"
)


@dataclass(frozen=True)
class Period:
    """A duration split into calendar months and a fixed time span."""

    months: int
    span: timedelta

    @classmethod
    def parse(cls, text: str) -> Period:
        """Read an ISO 8601 duration such as P1M, P30D or P1Y6M (the manifest has checked its form)."""
        match = PARTS.match(text)
        if not match or text == "P":
            raise ValueError(f"{text!r} is not an ISO 8601 duration; write e.g. P30D, P1M or P10Y")
        n = {k: int(v) if v else 0 for k, v in match.groupdict().items()}
        span = timedelta(weeks=n["w"], days=n["d"], hours=n["h"], minutes=n["mi"], seconds=n["s"])
        return cls(n["y"] * 12 + n["mo"], span)


def add_months(moment: datetime, months: int) -> datetime:
    """Move by calendar months, keeping the day where the month has it and its last day otherwise."""
    index = moment.year * 12 + moment.month - 1 + months
    year, month = divmod(index, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


def due(start: datetime, period: Period) -> datetime:
    """Return when a record counted from ``start`` must be gone (31 January + P1M: 28 February)."""
    return add_months(start, period.months) + period.span


def cutoff(now: datetime, period: Period) -> datetime:
    """Return the latest start whose due moment is not after ``now``: rows at or before it are expired.

    On the last day of a month, every later day of the month before is due too (31 January + P1M is
    28 February), so the cut-off moves to the end of that month.
    """
    moment = now - period.span
    if not period.months:
        return moment
    back = add_months(moment, -period.months)
    if moment.day == calendar.monthrange(moment.year, moment.month)[1]:
        back = back.replace(day=calendar.monthrange(back.year, back.month)[1])
    return back
