from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from privacyops.requests import deadlines, errors, regimes, states
from privacyops.requests.regimes import DEFAULT_CATALOG
from privacyops.requests.states import RequestState
from privacyops.requests.types import RequestType

ACCESS = RequestType.ACCESS


def noon(day: str) -> datetime:
    """Noon UTC is the same calendar date in every built-in regime's time zone."""
    return datetime.fromisoformat(f"{day}T12:00:00+00:00")


def due(day: str, request_type: RequestType, *regions: str) -> deadlines.Deadlines:
    return deadlines.due_dates(noon(day), request_type, regimes.regimes_for(regions))


@pytest.mark.req("DL-1")
def test_dl1_gdpr_one_month_clamps_to_end_of_february_and_extends_to_three_months() -> None:
    d = due("2025-01-31", ACCESS, "eu")
    assert d.response_due == date(2025, 2, 28)
    extended = deadlines.extend(d, "gdpr_eea", "several complex requests at once", noon("2025-02-28"))
    assert extended.response_due == date(2025, 4, 30)
    record = extended.for_regime("gdpr_eea").extensions[0]
    assert record.reason == "several complex requests at once"
    assert record.new_due == date(2025, 4, 30)
    assert d.response_due == date(2025, 2, 28)  # the original is unchanged


@pytest.mark.req("DL-1")
def test_dl1_extension_after_the_first_month_is_refused() -> None:
    d = due("2025-01-31", ACCESS, "eu")
    with pytest.raises(errors.ExtensionRefused) as caught:
        deadlines.extend(d, "gdpr_eea", "late", noon("2025-03-01"))
    assert caught.value.field == "at"
    assert "2025-02-28" in str(caught.value)


@pytest.mark.req("DL-1")
def test_dl1_extension_without_a_reason_is_refused() -> None:
    d = due("2025-01-31", ACCESS, "eu")
    with pytest.raises(errors.ExtensionRefused) as caught:
        deadlines.extend(d, "gdpr_eea", "  ", noon("2025-02-10"))
    assert caught.value.field == "reason"


@pytest.mark.req("DL-1")
def test_dl1_only_one_fixed_extension() -> None:
    d = deadlines.extend(due("2025-01-31", ACCESS, "eu"), "gdpr_eea", "complex", noon("2025-02-01"))
    with pytest.raises(errors.ExtensionRefused, match="already extended"):
        deadlines.extend(d, "gdpr_eea", "again", noon("2025-02-02"))


@pytest.mark.req("DL-2")
def test_dl2_ccpa_acknowledgement_within_ten_business_days() -> None:
    d = due("2025-03-03", ACCESS, "us-ca")
    assert date(2025, 3, 3).weekday() == 0
    assert d.acknowledgement_due == date(2025, 3, 17)


@pytest.mark.req("DL-3")
def test_dl3_ccpa_45_days_with_receipt_day_as_day_one_and_extension_to_90() -> None:
    d = due("2025-01-01", ACCESS, "us-ca")
    assert d.response_due == date(2025, 2, 14)
    extended = deadlines.extend(d, "ccpa_ca", "the request covers many systems", noon("2025-02-14"))
    # 2025-03-31 is Cesar Chavez Day in California; CCPA counts calendar days, no roll-forward.
    assert extended.response_due == date(2025, 3, 31)


@pytest.mark.req("DL-3")
def test_dl3_ccpa_extension_noticed_after_day_45_is_refused() -> None:
    d = due("2025-01-01", ACCESS, "us-ca")
    with pytest.raises(errors.ExtensionRefused):
        deadlines.extend(d, "ccpa_ca", "late notice", noon("2025-02-15"))


@pytest.mark.req("DL-4")
def test_dl4_opt_out_of_sale_within_15_business_days_without_acknowledgement() -> None:
    d = due("2025-03-03", RequestType.OPT_OUT_SALE_SHARE, "us-ca")
    assert d.response_due == date(2025, 3, 24)
    assert d.acknowledgement_due is None
    with pytest.raises(errors.ExtensionRefused, match="no extension"):
        deadlines.extend(d, "ccpa_ca", "busy", noon("2025-03-04"))


@pytest.mark.req("DL-5")
def test_dl5_switzerland_30_days_and_a_missed_date_needs_a_new_one() -> None:
    d = due("2025-03-03", ACCESS, "ch")
    assert d.response_due == date(2025, 4, 2)
    assert not deadlines.overdue(d, noon("2025-04-02")).overdue
    late = deadlines.overdue(d, noon("2025-04-03"))
    assert late.tell_new_date == ("fadp_ch",)
    assert late.status is None and not late.hold_data
    with pytest.raises(errors.ExtensionRefused) as caught:
        deadlines.extend(d, "fadp_ch", "backlog", noon("2025-04-03"))
    assert caught.value.field == "new_due"
    moved = deadlines.extend(d, "fadp_ch", "backlog", noon("2025-04-03"), new_due=date(2025, 4, 17))
    assert moved.response_due == date(2025, 4, 17)
    assert moved.for_regime("fadp_ch").extensions[0].new_due == date(2025, 4, 17)
    assert not deadlines.overdue(moved, noon("2025-04-10")).overdue


@pytest.mark.req("DL-6")
def test_dl6_canada_overdue_is_a_deemed_refusal_and_holds_the_data() -> None:
    d = due("2025-03-03", ACCESS, "ca")
    assert d.response_due == date(2025, 4, 2)
    assert deadlines.overdue(d, noon("2025-04-02")).status is None
    report = deadlines.overdue(d, noon("2025-04-05"))
    assert report.status is RequestState.DEEMED_REFUSAL
    assert report.hold_data
    assert report.late[0].days_late == 3


@pytest.mark.req("DL-6")
def test_dl6_canada_extension_adds_30_days_when_noticed_in_time() -> None:
    d = due("2025-03-03", ACCESS, "ca")
    extended = deadlines.extend(d, "pipeda_ca", "consultation needed", noon("2025-03-20"))
    assert extended.response_due == date(2025, 5, 2)
    assert not deadlines.overdue(extended, noon("2025-04-05")).overdue


@pytest.mark.req("DL-7")
def test_dl7_earliest_due_date_wins_for_an_eu_and_california_subject() -> None:
    d = due("2025-01-31", ACCESS, "eu", "us-ca")
    assert d.for_regime("ccpa_ca").response_due == date(2025, 3, 16)
    assert d.response_due == date(2025, 2, 28)
    assert d.governing_regime == "gdpr_eea"
    assert d.acknowledgement_due == date(2025, 2, 14)


@pytest.mark.req("DL-7")
def test_dl7_extending_one_regime_never_moves_past_another() -> None:
    d = due("2025-01-31", ACCESS, "eu", "us-ca")
    extended = deadlines.extend(d, "gdpr_eea", "complex", noon("2025-02-20"))
    assert extended.response_due == date(2025, 3, 16)
    assert extended.governing_regime == "ccpa_ca"


@pytest.mark.parametrize(
    ("received", "region", "expected", "why"),
    [
        ("2025-03-29", "eu", date(2025, 4, 29), "plain month"),
        ("2025-04-05", "eu", date(2025, 5, 5), "05-05 is a Monday"),
        ("2025-04-01", "eu", date(2025, 5, 2), "05-01 Labour Day in Berlin rolls to Friday"),
        ("2025-02-08", "eu", date(2025, 3, 10), "03-08 Women's Day (Berlin) and Sunday roll to Monday"),
        ("2025-04-26", "uk", date(2025, 5, 27), "05-26 spring bank holiday rolls to Tuesday"),
        ("2025-07-02", "ch", date(2025, 8, 1 + 3), "08-01 National Day, then a weekend"),
        ("2025-11-01", "us-ca", date(2025, 12, 15), "calendar days, no roll-forward"),
        ("2025-02-15", "us-ca", date(2025, 3, 31), "lands on Cesar Chavez Day and stays"),
    ],
)
@pytest.mark.req("DL-0")
def test_dl0_response_due_dates_roll_forward_where_the_regime_says(
    received: str, region: str, expected: date, why: str
) -> None:
    assert due(received, ACCESS, region).response_due == expected, why


@pytest.mark.req("DL-0")
def test_dl0_roll_forward_is_configurable_per_regime() -> None:
    no_roll = dataclasses.replace(regimes.GDPR_EEA, roll_forward=False)
    d = deadlines.due_dates(noon("2025-04-01"), ACCESS, [no_roll])
    assert d.response_due == date(2025, 5, 1)


@pytest.mark.req("DL-0")
def test_dl0_receipt_date_is_taken_in_the_regime_time_zone() -> None:
    late_evening_utc = datetime(2025, 1, 31, 23, 30, tzinfo=UTC)  # already 1 February in Berlin
    d = deadlines.due_dates(late_evening_utc, ACCESS, regimes.regimes_for(["eu", "us-ca"]))
    assert d.for_regime("gdpr_eea").received_on == date(2025, 2, 1)
    assert d.for_regime("gdpr_eea").response_due == date(2025, 3, 3)  # 03-01 is a Saturday
    assert d.for_regime("ccpa_ca").received_on == date(2025, 1, 31)


@pytest.mark.req("INT-2")
def test_int2_past_ticket_timestamp_sets_the_clock() -> None:
    ticket_time = datetime(2025, 1, 1, 9, 0, tzinfo=timezone(timedelta(hours=-8)))
    d = deadlines.due_dates(ticket_time, ACCESS, regimes.regimes_for(["us-ca"]))
    assert d.received_at == ticket_time
    assert d.response_due == date(2025, 2, 14)


def test_naive_timestamp_is_refused_naming_the_field() -> None:
    with pytest.raises(errors.RequestRuleError) as caught:
        deadlines.due_dates(datetime(2025, 1, 31, 12), ACCESS, [regimes.GDPR_EEA])
    assert caught.value.field == "received_at"


def test_a_right_no_regime_grants_is_a_clear_error() -> None:
    with pytest.raises(errors.RightNotGranted) as caught:
        deadlines.due_dates(noon("2025-01-31"), RequestType.OPT_OUT_SALE_SHARE, [regimes.GDPR_EEA])
    assert caught.value.field == "type"
    assert "opt_out_sale_share" in str(caught.value)


def test_regimes_without_the_right_are_left_out() -> None:
    d = due("2025-01-31", RequestType.OPT_OUT_SALE_SHARE, "eu", "us-ca")
    assert [e.regime_id for e in d.per_regime] == ["ccpa_ca"]


@pytest.mark.req("DL-1")
def test_fixed_extension_may_name_a_nearer_date_within_the_cap() -> None:
    d = due("2025-01-31", ACCESS, "eu")
    nearer = deadlines.extend(d, "gdpr_eea", "one more system", noon("2025-02-10"), new_due=date(2025, 3, 31))
    assert nearer.response_due == date(2025, 3, 31)
    with pytest.raises(errors.ExtensionRefused) as caught:
        deadlines.extend(d, "gdpr_eea", "too far", noon("2025-02-10"), new_due=date(2025, 5, 30))
    assert caught.value.field == "new_due"


def test_extension_for_a_regime_that_does_not_apply_names_the_field() -> None:
    with pytest.raises(errors.RegimeNotApplicable) as caught:
        deadlines.extend(due("2025-01-31", ACCESS, "eu"), "ccpa_ca", "x", noon("2025-02-01"))
    assert caught.value.field == "regime"


def test_extend_accepts_a_regime_object() -> None:
    d = due("2025-01-31", ACCESS, "eu")
    assert deadlines.extend(d, DEFAULT_CATALOG.get("gdpr_eea"), "r", noon("2025-02-01")).response_due == date(
        2025, 4, 30
    )


def extended_eu_ca() -> deadlines.Deadlines:
    both = due("2025-01-31", ACCESS, "eu", "us-ca")
    return deadlines.extend(both, "gdpr_eea", "complex", noon("2025-02-03"))


def test_summary_gives_plain_values_and_deadlines_are_hashable() -> None:
    d = extended_eu_ca()
    summary = d.summary()
    assert summary["response_due"] == "2025-03-16"
    assert summary["acknowledgement_due"] == "2025-02-14"
    assert summary["governing_regime"] == "ccpa_ca"
    eu = summary["regimes"]["gdpr_eea"]  # type: ignore[index]
    assert eu["first_due"] == "2025-02-28" and eu["response_due"] == "2025-04-30"
    assert eu["extensions"] == [{"reason": "complex", "new_due": "2025-04-30"}]
    assert hash(d) == hash(extended_eu_ca()) and d == extended_eu_ca()


@pytest.mark.req("DL-5")
def test_dl5_new_swiss_date_must_be_later_than_the_current_one() -> None:
    d = due("2025-03-03", ACCESS, "ch")
    with pytest.raises(errors.ExtensionRefused) as caught:
        deadlines.extend(d, "fadp_ch", "backlog", noon("2025-04-05"), new_due=date(2025, 4, 4))
    assert caught.value.field == "new_due" and "2025-04-05" in str(caught.value)


@pytest.mark.req("DL-6")
def test_dl6_deemed_refusal_is_recorded_through_the_state_machine() -> None:
    report = deadlines.overdue(due("2025-03-03", ACCESS, "ca"), noon("2025-04-05"))
    assert report.status is not None
    move = states.transition(RequestState.IN_PROGRESS, report.status, actor="system", reason="PIPEDA s. 8(5)")
    assert move.target is RequestState.DEEMED_REFUSAL
    assert not states.is_terminal(move.target)  # a late answer is still owed


@pytest.mark.req("DL-6")
def test_dl6_only_canada_turns_lateness_into_a_deemed_refusal() -> None:
    report = deadlines.overdue(due("2025-01-31", ACCESS, "eu", "us-ca"), noon("2025-03-20"))
    assert [late.regime_id for late in report.late] == ["gdpr_eea", "ccpa_ca"]
    assert report.status is None and not report.hold_data and report.tell_new_date == ()


def test_overdue_needs_an_aware_now() -> None:
    with pytest.raises(errors.RequestRuleError) as caught:
        deadlines.overdue(due("2025-03-03", ACCESS, "ca"), datetime(2025, 4, 5))
    assert caught.value.field == "now"
