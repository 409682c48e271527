"""Legal regimes: their clocks, holiday calendars and rights, and which ones apply to a subject.

Each built-in regime states its rule in data. ``roll_forward`` is configurable per regime because the
rules and the worked examples of the requirements differ by law:

- GDPR and UK GDPR: a period ending on a weekend or public holiday ends on the next working day
  (Regulation 1182/71 Art. 3(4); the ICO says the same), so ``roll_forward`` is on.
- Switzerland and Canada: their general rules on time limits also move a last day that falls on a
  Sunday or holiday, so ``roll_forward`` is on.
- California: the CPPA regulations count plain calendar days and the requirement's example DL-3 keeps
  2025-03-31 (Cesar Chavez Day, a state holiday) as the extended due date, so ``roll_forward`` is off.
  Business-day clocks (acknowledgement, opt-out) skip weekends and holidays by construction.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

import holidays

from privacyops.requests import calendars, errors
from privacyops.requests.calendars import HolidayCalendar
from privacyops.requests.types import RIGHTS_BY_REGIME, US_STATE_RIGHTS, RequestType


class Unit(StrEnum):
    MONTHS = "months"
    DAYS = "days"
    BUSINESS_DAYS = "business_days"


class ExtensionKind(StrEnum):
    FIXED = "fixed"  # one extension to a fixed total, noticed within the first period
    NEW_DATE = "new_date"  # no fixed cap: the subject is told the new date (Switzerland)


class OverdueRule(StrEnum):
    NONE = "none"
    DEEMED_REFUSAL = "deemed_refusal"  # Canada: a missed deadline counts as a refusal; keep the data
    TELL_NEW_DATE = "tell_new_date"  # Switzerland: tell the subject when the answer will come


@dataclass(frozen=True)
class Period:
    """A length of time counted from the receipt date."""

    amount: int
    unit: Unit
    count_receipt_day: bool = False  # calendar days only: the receipt day is day 1 (CCPA)

    def end(self, received_on: date, cal: HolidayCalendar) -> date:
        """Return the last day of the period, before any roll-forward."""
        if self.unit is Unit.MONTHS:
            return calendars.add_months(received_on, self.amount)
        if self.unit is Unit.BUSINESS_DAYS:
            return calendars.add_business_days(received_on, self.amount, cal)
        return calendars.add_days(received_on, self.amount, count_start_day=self.count_receipt_day)


@dataclass(frozen=True)
class ExtensionRule:
    """How a response deadline may be extended; ``total`` counts from the receipt date, not the due date.

    GDPR: received 2025-01-31, one month to 02-28, extended to three months from receipt: 04-30 (two
    months after 02-28 would give 04-28, which the requirement's example DL-1 rules out).
    """

    kind: ExtensionKind
    total: Period | None = None


@dataclass(frozen=True)
class Regime:
    """One law's clocks and rights."""

    id: str
    name: str
    regions: tuple[str, ...]
    timezone: str
    calendar: HolidayCalendar
    response: Period
    roll_forward: bool
    rights: Mapping[RequestType, str]
    extension: ExtensionRule | None = None
    acknowledgement: Period | None = None
    opt_out_response: Period | None = None  # a shorter clock for opt-out types, where the law has one
    twice_limit: int | None = None  # disclosures owed per 12 months; None: no count-based limit
    on_overdue: OverdueRule = OverdueRule.NONE
    # How far back an access answer reaches unless the subject asks for more (AC-5): all, 12m, extended.
    access_lookback: str = "all"

    def __hash__(self) -> int:
        # The rights table is a mapping, which cannot be hashed; the id names a regime within a catalog.
        return hash(self.id)

    def grants(self, request_type: RequestType) -> bool:
        """Tell whether this regime makes ``request_type`` a right."""
        return request_type in self.rights

    def right(self, request_type: RequestType) -> str | None:
        """Return the name of the right ``request_type`` exercises here, or None."""
        return self.rights.get(request_type)


EEA_COUNTRIES: tuple[str, ...] = (
    *("at", "be", "bg", "hr", "cy", "cz", "dk", "ee", "fi", "fr", "de", "gr", "hu", "ie", "it"),
    *("lv", "lt", "lu", "mt", "nl", "pl", "pt", "ro", "sk", "si", "es", "se", "is", "li", "no"),
)
_MONTH = Unit.MONTHS
_DAYS = Unit.DAYS
_BDAYS = Unit.BUSINESS_DAYS

GDPR_EEA = Regime(
    id="gdpr_eea",
    name="GDPR (EEA)",
    regions=("eu", "eea", *EEA_COUNTRIES),
    timezone="Europe/Berlin",
    calendar=HolidayCalendar("DE", "BE"),
    response=Period(1, _MONTH),
    roll_forward=True,
    rights=RIGHTS_BY_REGIME["gdpr_eea"],
    extension=ExtensionRule(ExtensionKind.FIXED, Period(3, _MONTH)),
)
UK_GDPR = dataclasses.replace(
    GDPR_EEA,
    id="uk_gdpr",
    name="UK GDPR",
    regions=("uk", "gb"),
    timezone="Europe/London",
    calendar=HolidayCalendar("GB", "ENG"),
    rights=RIGHTS_BY_REGIME["uk_gdpr"],
)
FADP_CH = Regime(
    id="fadp_ch",
    name="Swiss FADP",
    regions=("ch",),
    timezone="Europe/Zurich",
    calendar=HolidayCalendar("CH"),
    response=Period(30, _DAYS),
    roll_forward=True,
    rights=RIGHTS_BY_REGIME["fadp_ch"],
    extension=ExtensionRule(ExtensionKind.NEW_DATE),
    on_overdue=OverdueRule.TELL_NEW_DATE,
)
PIPEDA_CA = Regime(
    id="pipeda_ca",
    name="PIPEDA (Canada)",
    regions=("ca",),
    timezone="America/Toronto",
    calendar=HolidayCalendar("CA"),
    response=Period(30, _DAYS),
    roll_forward=True,
    rights=RIGHTS_BY_REGIME["pipeda_ca"],
    extension=ExtensionRule(ExtensionKind.FIXED, Period(60, _DAYS)),
    on_overdue=OverdueRule.DEEMED_REFUSAL,
)
CCPA_CA = Regime(
    id="ccpa_ca",
    name="CCPA (California)",
    regions=("us-ca",),
    timezone="America/Los_Angeles",
    calendar=HolidayCalendar("US", "CA"),
    response=Period(45, _DAYS, count_receipt_day=True),
    roll_forward=False,
    rights=RIGHTS_BY_REGIME["ccpa_ca"],
    extension=ExtensionRule(ExtensionKind.FIXED, Period(90, _DAYS, count_receipt_day=True)),
    acknowledgement=Period(10, _BDAYS),
    opt_out_response=Period(15, _BDAYS),
    twice_limit=2,
    access_lookback="12m",  # §7024(h): twelve months, further back to 2022 on request
)


def us_state_regime(
    region: str,
    *,
    name: str,
    timezone: str = "America/New_York",
    response_days: int = 45,
    extension_days: int | None = 45,
    rights: Mapping[RequestType, str] = US_STATE_RIGHTS,
    acknowledgement_business_days: int | None = None,
    opt_out_business_days: int | None = None,
    twice_limit: int | None = None,
) -> Regime:
    """Return a regime for another US state law (``region`` such as ``us-va``), configured by its terms."""
    code = _normalise(region)
    state = code.removeprefix("us-").upper()
    subdiv = state if state in holidays.list_supported_countries()["US"] else None
    extension = None
    if extension_days:
        total = Period(response_days + extension_days, _DAYS, count_receipt_day=True)
        extension = ExtensionRule(ExtensionKind.FIXED, total)
    return Regime(
        id=f"us_{state.lower()}",
        name=name,
        regions=(code,),
        timezone=timezone,
        calendar=HolidayCalendar("US", subdiv),
        response=Period(response_days, _DAYS, count_receipt_day=True),
        roll_forward=False,
        rights=rights,
        extension=extension,
        acknowledgement=_business_days(acknowledgement_business_days),
        opt_out_response=_business_days(opt_out_business_days),
        twice_limit=twice_limit,
        access_lookback="12m",  # the US state laws follow the CCPA's twelve months
    )


def _business_days(amount: int | None) -> Period | None:
    return Period(amount, _BDAYS) if amount else None


@dataclass(frozen=True)
class RegimeCatalog:
    """The regimes a deployment knows, found by region code."""

    regimes: tuple[Regime, ...]
    _by_region: Mapping[str, Regime] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        index = {code: r for r in self.regimes for code in r.regions}
        object.__setattr__(self, "_by_region", index)

    def with_regime(self, regime: Regime) -> RegimeCatalog:
        """Return a catalog with ``regime`` added, or replacing the one with the same id."""
        kept = tuple(r for r in self.regimes if r.id != regime.id)
        return RegimeCatalog((*kept, regime))

    def with_calendar(self, regime_id: str, country: str, subdiv: str | None = None) -> RegimeCatalog:
        """Return a catalog in which ``regime_id`` uses another holiday calendar."""
        cal = calendars.calendar_for(country, subdiv, field=f"regions.{regime_id}.holidays")
        return self.with_regime(dataclasses.replace(self.get(regime_id), calendar=cal))

    def get(self, regime_id: str) -> Regime:
        """Return the regime with this id, or raise an error listing the known ids."""
        for regime in self.regimes:
            if regime.id == regime_id:
                return regime
        known = ", ".join(r.id for r in self.regimes)
        raise errors.UnknownRegion(f"unknown regime {regime_id!r}; known: {known}", field="regime")

    def regimes_for(self, regions: Iterable[str], *, field: str = "regions") -> tuple[Regime, ...]:
        """Return the regimes of a subject from declared region codes, in order and without repeats."""
        found: list[Regime] = []
        codes = list(regions)
        if not codes:
            raise errors.UnknownRegion("name at least one region, e.g. eu, uk, ch, ca, us-ca", field=field)
        for position, raw in enumerate(codes):
            regime = self._lookup(raw, f"{field}[{position}]")
            if regime not in found:
                found.append(regime)
        return tuple(found)

    def _lookup(self, raw: str, where: str) -> Regime:
        code = _normalise(raw)
        if code in self._by_region:
            return self._by_region[code]
        if code == "us":
            raise errors.UnknownRegion("region 'us' is ambiguous: name the state, e.g. us-ca", field=where)
        known = ", ".join(sorted(c for c in self._by_region if c not in EEA_COUNTRIES))
        raise errors.UnknownRegion(
            f"unknown region {raw!r}; use one of: {known} (or an EEA country code)", field=where
        )


def _normalise(code: str) -> str:
    return code.strip().lower().replace("_", "-")


DEFAULT_CATALOG = RegimeCatalog((GDPR_EEA, UK_GDPR, FADP_CH, PIPEDA_CA, CCPA_CA))


def regimes_for(regions: Iterable[str], catalog: RegimeCatalog = DEFAULT_CATALOG) -> tuple[Regime, ...]:
    """Return the regimes that apply to a subject who declared ``regions``."""
    return catalog.regimes_for(regions)
