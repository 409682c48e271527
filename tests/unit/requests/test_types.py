from __future__ import annotations

import pytest

from privacyops.requests import errors, regimes
from privacyops.requests import types as rtypes
from privacyops.requests.types import RequestType as R


def test_every_request_type_is_described() -> None:
    assert set(rtypes.REQUEST_TYPES) == set(R)
    assert len(R) == 12


@pytest.mark.parametrize(
    "request_type", [R.OPT_OUT_SALE_SHARE, R.LIMIT_SENSITIVE, R.MARKETING_OPT_OUT, R.WITHDRAW_CONSENT]
)
@pytest.mark.req("DL-4")
def test_dl4_opt_outs_need_no_verification(request_type: R) -> None:
    assert not rtypes.info(request_type).needs_verification
    assert rtypes.info(request_type).non_account_level is rtypes.VerificationLevel.NONE


@pytest.mark.parametrize("request_type", [R.ACCESS, R.ERASURE, R.RECTIFICATION, R.ACCOUNT_DELETION])
@pytest.mark.req("INT-3")
def test_disclosure_deletion_and_correction_need_verification_and_step_up(request_type: R) -> None:
    description = rtypes.info(request_type)
    assert description.needs_verification and description.needs_step_up


@pytest.mark.req("DL-8")
def test_dl8_only_access_and_portability_count_toward_the_twice_rule() -> None:
    counting = {t for t in R if rtypes.info(t).counts_toward_twice_rule}
    assert counting == {R.ACCESS, R.PORTABILITY}


@pytest.mark.parametrize(
    ("regime", "request_type", "phrase"),
    [
        (regimes.GDPR_EEA, R.ERASURE, "Art. 17"),
        (regimes.UK_GDPR, R.PORTABILITY, "UK GDPR"),
        (regimes.CCPA_CA, R.ACCESS, "right to know"),
        (regimes.CCPA_CA, R.OPT_OUT_SALE_SHARE, "1798.120"),
        (regimes.CCPA_CA, R.LIMIT_SENSITIVE, "1798.121"),
        (regimes.FADP_CH, R.ACCESS, "Art. 25"),
        (regimes.PIPEDA_CA, R.ACCESS, "s. 8"),
    ],
)
def test_each_type_maps_to_the_right_it_exercises(
    regime: regimes.Regime, request_type: R, phrase: str
) -> None:
    right = regime.right(request_type)
    assert right is not None and phrase in right


@pytest.mark.parametrize(
    ("regime", "request_type"),
    [
        (regimes.GDPR_EEA, R.OPT_OUT_SALE_SHARE),
        (regimes.CCPA_CA, R.RESTRICTION),
        (regimes.PIPEDA_CA, R.ERASURE),
    ],
)
def test_rights_a_regime_does_not_grant(regime: regimes.Regime, request_type: R) -> None:
    assert not regime.grants(request_type) and regime.right(request_type) is None


def test_parse_request_type_accepts_names_and_rejects_unknown_ones_naming_the_field() -> None:
    assert rtypes.parse_request_type(" Erasure ") is R.ERASURE
    with pytest.raises(errors.UnknownRequestType) as caught:
        rtypes.parse_request_type("delete_everything")
    assert caught.value.field == "type"
    assert "account_deletion" in str(caught.value)
