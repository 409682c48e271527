from __future__ import annotations

from datetime import datetime

import pytest

from privacyops.requests import errors, regimes, repeats
from privacyops.requests.repeats import PriorRequest
from privacyops.requests.types import RequestType

ACCESS = RequestType.ACCESS
CA = regimes.regimes_for(["us-ca"])


def at(day: str) -> datetime:
    return datetime.fromisoformat(f"{day}T12:00:00+00:00")


@pytest.mark.req("DL-8")
def test_dl8_third_ccpa_access_request_in_12_months_needs_a_recorded_reason_to_refuse() -> None:
    earlier = [
        PriorRequest(at("2024-06-01"), ACCESS),
        PriorRequest(at("2025-01-10"), RequestType.PORTABILITY),
    ]
    check = repeats.check_repeat(ACCESS, CA, at("2025-03-03"), earlier)
    assert check.count_in_window == 2
    assert check.may_refuse and check.refusable_under == ("ccpa_ca",)
    with pytest.raises(errors.RefusalNotAllowed) as caught:
        repeats.refuse_repeat(check, "")
    assert caught.value.field == "reason"
    refusal = repeats.refuse_repeat(check, "third copy of the same data within a year")
    assert refusal.reason == "third copy of the same data within a year"
    assert refusal.regimes == ("ccpa_ca",) and refusal.still_owed_under == ()


@pytest.mark.parametrize(
    ("earlier", "count"),
    [
        ([], 0),
        ([PriorRequest(at("2025-01-10"), ACCESS)], 1),
        # exactly 12 months before falls outside the window
        ([PriorRequest(at("2024-03-03"), ACCESS), PriorRequest(at("2025-01-10"), ACCESS)], 1),
        ([PriorRequest(at("2025-01-10"), RequestType.ERASURE), PriorRequest(at("2025-02-10"), ACCESS)], 1),
        ([PriorRequest(at("2025-04-01"), ACCESS), PriorRequest(at("2025-02-10"), ACCESS)], 1),  # later one
    ],
)
@pytest.mark.req("DL-8")
def test_dl8_first_and_second_requests_cannot_be_refused_on_the_count(
    earlier: list[PriorRequest], count: int
) -> None:
    check = repeats.check_repeat(ACCESS, CA, at("2025-03-03"), earlier)
    assert check.count_in_window == count
    assert not check.may_refuse
    with pytest.raises(errors.RefusalNotAllowed) as caught:
        repeats.refuse_repeat(check, "too many")
    assert caught.value.field == "type"


@pytest.mark.req("DL-8")
def test_dl8_gdpr_has_no_count_rule_so_the_answer_stays_owed() -> None:
    earlier = [PriorRequest(at("2024-12-01"), ACCESS), PriorRequest(at("2025-01-10"), ACCESS)]
    both = regimes.regimes_for(["eu", "us-ca"])
    check = repeats.check_repeat(ACCESS, both, at("2025-03-03"), earlier)
    assert check.refusable_under == ("ccpa_ca",)
    assert check.owed_under == ("gdpr_eea",)
    assert repeats.refuse_repeat(check, "repeat").still_owed_under == ("gdpr_eea",)
    eu_only = repeats.check_repeat(ACCESS, regimes.regimes_for(["eu"]), at("2025-03-03"), earlier)
    assert not eu_only.may_refuse


@pytest.mark.req("DL-8")
def test_dl8_erasure_requests_do_not_count() -> None:
    earlier = [PriorRequest(at("2025-01-10"), ACCESS)] * 3
    check = repeats.check_repeat(RequestType.ERASURE, CA, at("2025-03-03"), earlier)
    assert check.count_in_window == 0 and not check.may_refuse
