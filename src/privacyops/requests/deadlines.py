"""Due dates of a request per regime, the earliest one winning; extensions; what a missed date means.

All dates are local to each regime's time zone: a request received at 23:30 UTC on 31 January is
received on 1 February in Berlin. A due date is inclusive: the answer is on time until that day ends.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from privacyops.requests import calendars, errors
from privacyops.requests import types as rtypes
from privacyops.requests.regimes import ExtensionKind, OverdueRule, Period, Regime, Unit
from privacyops.requests.states import RequestState


@dataclass(frozen=True)
class Extension:
    """An extension as recorded: why, when it was asked, and the new due date the subject is told."""

    reason: str
    requested_at: datetime | date
    new_due: date


@dataclass(frozen=True)
class RegimeDeadline:
    """The dates one regime sets for one request."""

    regime: Regime
    received_on: date
    acknowledgement_due: date | None
    first_due: date  # end of the first period: an extension must be noticed by this day
    response_due: date  # current due date, after any extension
    opt_out_clock: bool = False
    extensions: tuple[Extension, ...] = ()

    @property
    def regime_id(self) -> str:
        return self.regime.id

    @property
    def extended(self) -> bool:
        return bool(self.extensions)

    def summary(self) -> dict[str, object]:
        """Return this regime's dates as plain values."""
        return {
            "received_on": self.received_on.isoformat(),
            "acknowledgement_due": _iso(self.acknowledgement_due),
            "first_due": self.first_due.isoformat(),
            "response_due": self.response_due.isoformat(),
            "extensions": [{"reason": e.reason, "new_due": e.new_due.isoformat()} for e in self.extensions],
        }


@dataclass(frozen=True)
class Deadlines:
    """Every applicable regime's dates for one request; the earliest applicable one governs (DL-7)."""

    received_at: datetime | date
    request_type: rtypes.RequestType
    per_regime: tuple[RegimeDeadline, ...]

    @property
    def response_due(self) -> date:
        return min(d.response_due for d in self.per_regime)

    @property
    def acknowledgement_due(self) -> date | None:
        dates = [d.acknowledgement_due for d in self.per_regime if d.acknowledgement_due]
        return min(dates) if dates else None

    @property
    def governing_regime(self) -> str:
        """Return the id of the regime whose due date is the earliest (the first one on a tie)."""
        return min(self.per_regime, key=lambda d: d.response_due).regime_id

    def summary(self) -> dict[str, object]:
        """Return the dates as plain values (ISO strings), for the store, the API and notifications."""
        return {
            "request_type": str(self.request_type),
            "acknowledgement_due": _iso(self.acknowledgement_due),
            "response_due": self.response_due.isoformat(),
            "governing_regime": self.governing_regime,
            "regimes": {d.regime_id: d.summary() for d in self.per_regime},
        }

    def for_regime(self, regime_id: str) -> RegimeDeadline:
        """Return one regime's dates, or raise an error naming the regimes that apply."""
        for entry in self.per_regime:
            if entry.regime_id == regime_id:
                return entry
        applying = ", ".join(d.regime_id for d in self.per_regime)
        raise errors.RegimeNotApplicable(
            f"regime {regime_id!r} does not apply to this request; it is under: {applying}", field="regime"
        )


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def due_dates(
    received_at: datetime | date, request_type: rtypes.RequestType, regimes: Iterable[Regime]
) -> Deadlines:
    """Return the acknowledgement and response due dates of a request under each regime granting it."""
    candidates = tuple(regimes)
    granting = [r for r in candidates if r.grants(request_type)]
    if not granting:
        names = ", ".join(r.name for r in candidates) or "no regime"
        raise errors.RightNotGranted(
            f"{request_type} is not a right under {names}; it may be honoured voluntarily, "
            "but no statutory deadline applies",
            field="type",
        )
    entries = tuple(_regime_deadline(received_at, request_type, r) for r in granting)
    return Deadlines(received_at, request_type, entries)


def _regime_deadline(
    received_at: datetime | date, request_type: rtypes.RequestType, regime: Regime
) -> RegimeDeadline:
    received_on = local_date(received_at, regime, field="received_at")
    opt_out = rtypes.info(request_type).is_opt_out and regime.opt_out_response is not None
    period = regime.opt_out_response if opt_out and regime.opt_out_response else regime.response
    due = _end(period, received_on, regime)
    ack = None
    if regime.acknowledgement and not opt_out:
        ack = _end(regime.acknowledgement, received_on, regime)
    return RegimeDeadline(regime, received_on, ack, due, due, opt_out_clock=opt_out)


def _end(period: Period, received_on: date, regime: Regime) -> date:
    end = period.end(received_on, regime.calendar)
    if regime.roll_forward and period.unit is not Unit.BUSINESS_DAYS:
        end = calendars.roll_forward(end, regime.calendar)
    return end


def local_date(moment: datetime | date, regime: Regime, *, field: str) -> date:
    """Return the calendar date of ``moment`` in the regime's time zone; a naive datetime is refused."""
    if not isinstance(moment, datetime):
        return moment
    if moment.tzinfo is None:
        raise errors.RequestRuleError(
            "a timestamp needs a time zone (e.g. 2025-01-31T09:00:00+00:00)", field=field
        )
    return moment.astimezone(ZoneInfo(regime.timezone)).date()


def extend(
    deadlines: Deadlines,
    regime: Regime | str,
    reason: str,
    at: datetime | date,
    *,
    new_due: date | None = None,
) -> Deadlines:
    """Return the deadlines with one regime's response date extended, or raise an error saying why not.

    A fixed extension (GDPR, UK, Canada, California) must be asked within the first period, once, with a
    reason; it runs to the regime's total from the receipt date unless a nearer ``new_due`` is given.
    Switzerland has no cap: a ``new_due`` is required, even after the first date was missed (DL-5).
    """
    entry = deadlines.for_regime(regime if isinstance(regime, str) else regime.id)
    if not reason or not reason.strip():
        raise errors.ExtensionRefused("an extension needs a reason the subject is told", field="reason")
    rule = entry.regime.extension
    if rule is None or entry.opt_out_clock:
        raise errors.ExtensionRefused(
            f"{entry.regime.name} allows no extension for a {deadlines.request_type} request", field="regime"
        )
    asked_on = local_date(at, entry.regime, field="at")
    if rule.kind is ExtensionKind.NEW_DATE:
        target = _checked_new_date(entry, new_due, asked_on)
    else:
        target = _checked_fixed(entry, rule.total, new_due, asked_on)
    record = Extension(reason.strip(), at, target)
    updated = dataclasses.replace(entry, response_due=target, extensions=(*entry.extensions, record))
    entries = tuple(updated if e is entry else e for e in deadlines.per_regime)
    return dataclasses.replace(deadlines, per_regime=entries)


def _checked_fixed(entry: RegimeDeadline, total: Period | None, new_due: date | None, asked_on: date) -> date:
    if entry.extended:
        raise errors.ExtensionRefused(
            f"{entry.regime.name} allows one extension and this request was already extended", field="regime"
        )
    if asked_on > entry.first_due:
        raise errors.ExtensionRefused(
            f"an extension must be noticed by {entry.first_due.isoformat()}, the end of the first period; "
            f"it was asked on {asked_on.isoformat()}",
            field="at",
        )
    if total is None:
        raise errors.ExtensionRefused(
            f"{entry.regime.name} is configured with a fixed extension but no total period", field="regime"
        )
    limit = _end(total, entry.received_on, entry.regime)
    if new_due is None:
        return limit
    if not entry.response_due < new_due <= limit:
        raise errors.ExtensionRefused(
            f"the new due date must fall after {entry.response_due.isoformat()} and by {limit.isoformat()}",
            field="new_due",
        )
    return new_due


def _checked_new_date(entry: RegimeDeadline, new_due: date | None, asked_on: date) -> date:
    if new_due is None:
        raise errors.ExtensionRefused(
            f"{entry.regime.name} needs the new date the subject is told; pass new_due", field="new_due"
        )
    if new_due <= max(entry.response_due, asked_on):
        raise errors.ExtensionRefused(
            f"the new date must be after {max(entry.response_due, asked_on).isoformat()}", field="new_due"
        )
    return new_due


@dataclass(frozen=True)
class LateRegime:
    """One regime whose due date has passed."""

    regime_id: str
    due: date
    days_late: int
    rule: OverdueRule


@dataclass(frozen=True)
class OverdueReport:
    """What a missed due date means: a Canadian deemed refusal holds the data; Switzerland owes a new date."""

    late: tuple[LateRegime, ...]

    @property
    def overdue(self) -> bool:
        return bool(self.late)

    @property
    def deemed_refusal(self) -> bool:
        return any(entry.rule is OverdueRule.DEEMED_REFUSAL for entry in self.late)

    @property
    def status(self) -> RequestState | None:
        """Return ``deemed_refusal`` when the request must be shown so, else None."""
        return RequestState.DEEMED_REFUSAL if self.deemed_refusal else None

    @property
    def hold_data(self) -> bool:
        """Tell whether the subject's data must be kept (no purge) so the refusal can be contested."""
        return self.deemed_refusal

    @property
    def tell_new_date(self) -> tuple[str, ...]:
        """Return the ids of regimes under which the subject must now be told the new date."""
        return tuple(e.regime_id for e in self.late if e.rule is OverdueRule.TELL_NEW_DATE)


def overdue(deadlines: Deadlines, now: datetime) -> OverdueReport:
    """Return the regimes whose due date has passed at ``now`` for a request still open."""
    late = []
    for entry in deadlines.per_regime:
        today = local_date(now, entry.regime, field="now")
        if today > entry.response_due:
            days = (today - entry.response_due).days
            late.append(LateRegime(entry.regime_id, entry.response_due, days, entry.regime.on_overdue))
    return OverdueReport(tuple(late))
