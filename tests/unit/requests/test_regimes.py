from __future__ import annotations

from datetime import date, datetime

import pytest

from privacyops.requests import deadlines, errors, regimes
from privacyops.requests.regimes import DEFAULT_CATALOG
from privacyops.requests.types import RequestType


@pytest.mark.parametrize(
    ("codes", "expected"),
    [
        (["eu"], ["gdpr_eea"]),
        (["EEA"], ["gdpr_eea"]),
        (["de", "fr", "eu"], ["gdpr_eea"]),
        (["no"], ["gdpr_eea"]),
        (["uk"], ["uk_gdpr"]),
        (["GB"], ["uk_gdpr"]),
        (["ch"], ["fadp_ch"]),
        (["ca"], ["pipeda_ca"]),
        (["us-ca"], ["ccpa_ca"]),
        (["US_CA"], ["ccpa_ca"]),
        (["eu", "us-ca", "ch"], ["gdpr_eea", "ccpa_ca", "fadp_ch"]),
    ],
)
def test_regimes_are_derived_from_region_codes(codes: list[str], expected: list[str]) -> None:
    assert [r.id for r in regimes.regimes_for(codes)] == expected


def test_unknown_region_names_the_field_and_the_known_codes() -> None:
    with pytest.raises(errors.UnknownRegion) as caught:
        regimes.regimes_for(["eu", "atlantis"])
    assert caught.value.field == "regions[1]"
    assert "'atlantis'" in str(caught.value) and "us-ca" in str(caught.value)


def test_bare_us_region_asks_for_the_state() -> None:
    with pytest.raises(errors.UnknownRegion, match="us-ca"):
        regimes.regimes_for(["us"])


def test_no_region_is_an_error() -> None:
    with pytest.raises(errors.UnknownRegion) as caught:
        regimes.regimes_for([])
    assert caught.value.field == "regions"


def test_other_us_states_come_through_configuration() -> None:
    virginia = regimes.us_state_regime("us-va", name="Virginia CDPA", twice_limit=2)
    catalog = DEFAULT_CATALOG.with_regime(virginia)
    with pytest.raises(errors.UnknownRegion):
        regimes.regimes_for(["us-va"])
    found = regimes.regimes_for(["us-va"], catalog)
    assert [r.id for r in found] == ["us_va"]
    assert found[0].calendar.subdiv == "VA"
    d = deadlines.due_dates(datetime.fromisoformat("2025-01-01T17:00:00+00:00"), RequestType.ERASURE, found)
    assert d.response_due == date(2025, 2, 14)
    assert deadlines.extend(d, "us_va", "complex", d.response_due).response_due == date(2025, 3, 31)


@pytest.mark.req("DL-0")
def test_holiday_calendar_is_configurable_per_regime() -> None:
    catalog = DEFAULT_CATALOG.with_calendar("gdpr_eea", "FR")
    eea = catalog.get("gdpr_eea")
    assert eea.calendar.country == "FR"
    # 2025-07-14 (a Monday) is a public holiday in France, not in Berlin.
    received = date(2025, 6, 14)
    assert deadlines.due_dates(received, RequestType.ACCESS, [eea]).response_due == date(2025, 7, 15)
    berlin = DEFAULT_CATALOG.get("gdpr_eea")
    assert deadlines.due_dates(received, RequestType.ACCESS, [berlin]).response_due == date(2025, 7, 14)
    assert DEFAULT_CATALOG.get("gdpr_eea").calendar.country == "DE"


def test_unknown_calendar_names_the_regime_field() -> None:
    with pytest.raises(errors.UnknownCalendar) as caught:
        DEFAULT_CATALOG.with_calendar("uk_gdpr", "GB", "XYZ")
    assert caught.value.field == "regions.uk_gdpr.holidays"


def test_unknown_regime_id_lists_the_known_ones() -> None:
    with pytest.raises(errors.UnknownRegion, match="gdpr_eea"):
        DEFAULT_CATALOG.get("lgpd_br")


@pytest.mark.parametrize(
    ("regime", "roll_forward"),
    [(regimes.GDPR_EEA, True), (regimes.UK_GDPR, True), (regimes.FADP_CH, True),
     (regimes.PIPEDA_CA, True), (regimes.CCPA_CA, False)],
)
@pytest.mark.req("DL-0")
def test_roll_forward_choice_per_regime(regime: regimes.Regime, roll_forward: bool) -> None:
    assert regime.roll_forward is roll_forward
