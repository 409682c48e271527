"""The period an access request covers: asked for, set by the operator, or the default of its laws."""

from __future__ import annotations

import pytest

from privacyops.requests import errors, intake, period, regimes
from privacyops.store.models.requests import SubjectRequest


def request(regions: list[str], flags: dict[str, object] | None = None) -> SubjectRequest:
    return SubjectRequest(regions=regions, flags=flags or {})


@pytest.mark.req("AC-5")
@pytest.mark.parametrize(
    ("regions", "mode", "law"),
    [(["eu"], "all", "GDPR (EEA) gives"), (["uk"], "all", "UK GDPR gives"), (["ch"], "all", "Swiss FADP"),
     (["ca"], "all", "PIPEDA"), (["us-ca"], "12_months", "CCPA (California) covers the twelve months"),
     (["us-ca", "eu"], "all", "GDPR (EEA) gives")],
)
def test_the_default_follows_the_laws_of_the_regions(regions: list[str], mode: str, law: str) -> None:
    choice = period.choose(request(regions), regimes.DEFAULT_CATALOG)
    assert choice.mode == mode and law in choice.reason


@pytest.mark.req("AC-5")
def test_other_us_states_default_to_twelve_months_too() -> None:
    virginia = regimes.us_state_regime("us-va", name="VCDPA (Virginia)")
    catalog = regimes.DEFAULT_CATALOG.with_regime(virginia)
    choice = period.choose(request(["us-va"]), catalog)
    assert choice.mode == "12_months" and "VCDPA (Virginia)" in choice.reason


@pytest.mark.req("AC-5")
def test_what_was_asked_for_comes_before_the_default_and_the_operator_before_both() -> None:
    asked = request(["us-ca"], {"lookback": "extended"})
    assert period.choose(asked, regimes.DEFAULT_CATALOG).mode == "extended"
    assert "You asked for this period" in period.choose(asked, regimes.DEFAULT_CATALOG).reason
    chosen = period.choose(asked, regimes.DEFAULT_CATALOG, "2024-01-01")
    assert chosen.token == "2024-01-01" and "chosen when your request was carried out" in chosen.reason


def test_a_bad_lookback_is_a_rule_error_naming_the_field() -> None:
    with pytest.raises(errors.RequestRuleError) as caught:
        period.choose(request(["eu"]), regimes.DEFAULT_CATALOG, "forever")
    assert caught.value.field == "lookback" and "12m, extended" in caught.value.message


@pytest.mark.req("AC-5")
def test_intake_keeps_the_lookback_of_access_requests_only() -> None:
    base = {"identities": {"email": "ada@example.com"}, "regions": ["us-ca"], "channel": "api"}
    assert intake.build_submission(request_type="access", lookback="12_months", **base).lookback == "12m"
    assert intake.build_submission(request_type="portability", **base).lookback is None
    with pytest.raises(errors.RequestRuleError) as caught:
        intake.build_submission(request_type="erasure", lookback="all", **base)
    assert caught.value.field == "lookback"
    with pytest.raises(errors.RequestRuleError, match="unknown lookback"):
        intake.build_submission(request_type="access", lookback="since forever", **base)
