"""The twice-in-12-months rule for disclosures (DL-8).

Under the CCPA a business need not provide personal information to the same consumer more than twice in
12 months (Civ. Code 1798.130(b)); access and portability requests count. Refusing on this ground is a
choice that must be recorded with a reason. Under the GDPR there is no count: a request may be refused
only as manifestly unfounded or excessive, which is a denial with reasons, not this rule.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from privacyops.requests import calendars, errors
from privacyops.requests import types as rtypes
from privacyops.requests.regimes import Regime


@dataclass(frozen=True)
class PriorRequest:
    """An earlier request of the same subject, as the store knows it."""

    received_at: datetime
    request_type: rtypes.RequestType


@dataclass(frozen=True)
class RepeatCheck:
    """How many counting requests came in the 12 months before this one, and where refusal is allowed."""

    request_type: rtypes.RequestType
    count_in_window: int
    window_start: date
    refusable_under: tuple[str, ...]
    owed_under: tuple[str, ...]

    @property
    def may_refuse(self) -> bool:
        return bool(self.refusable_under)


@dataclass(frozen=True)
class RepeatRefusal:
    """A recorded refusal under the twice-in-12-months rule; ``still_owed_under`` must still be answered."""

    reason: str
    count_in_window: int
    regimes: tuple[str, ...]
    still_owed_under: tuple[str, ...]


def check_repeat(
    request_type: rtypes.RequestType,
    regimes: Iterable[Regime],
    received_at: datetime,
    earlier: Iterable[PriorRequest],
) -> RepeatCheck:
    """Count earlier disclosure requests in the 12 months before ``received_at`` and apply each limit."""
    window_start = calendars.add_months(received_at.date(), -12)
    counted = 0
    if rtypes.info(request_type).counts_toward_twice_rule:
        counted = sum(1 for p in earlier if _counts(p, window_start, received_at))
    granting = [r for r in regimes if r.grants(request_type)]
    refusable = tuple(r.id for r in granting if r.twice_limit is not None and counted >= r.twice_limit)
    owed = tuple(r.id for r in granting if r.id not in refusable)
    return RepeatCheck(request_type, counted, window_start, refusable, owed)


def _counts(prior: PriorRequest, window_start: date, received_at: datetime) -> bool:
    in_window = window_start < prior.received_at.date() and prior.received_at < received_at
    return in_window and rtypes.info(prior.request_type).counts_toward_twice_rule


def refuse_repeat(check: RepeatCheck, reason: str) -> RepeatRefusal:
    """Return the refusal to record, or raise an error when the rule does not apply or no reason is given."""
    if not check.may_refuse:
        raise errors.RefusalNotAllowed(
            f"{check.count_in_window} earlier disclosure request(s) in 12 months: the twice-in-12-months "
            "rule does not allow refusing this one",
            field="type",
        )
    if not reason or not reason.strip():
        raise errors.RefusalNotAllowed(
            "refusing a repeated request needs a written reason, recorded and sent", field="reason"
        )
    return RepeatRefusal(reason.strip(), check.count_in_window, check.refusable_under, check.owed_under)
