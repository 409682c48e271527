from __future__ import annotations

import pytest

from privacyops.requests import errors, levels
from privacyops.requests.types import AccessScope, RequestType, VerificationLevel

R = RequestType
CAT = AccessScope.CATEGORIES
PIECES = AccessScope.SPECIFIC_PIECES


@pytest.mark.req("INT-4")
def test_int4_specific_pieces_verified_on_two_points_are_answered_with_categories_and_say_why() -> None:
    outcome = levels.assess_points(R.ACCESS, matched_points=2, scope=PIECES)
    assert outcome.verified
    assert outcome.scope is CAT
    assert outcome.reached is VerificationLevel.REASONABLE
    assert outcome.required is VerificationLevel.REASONABLY_HIGH
    assert "categories" in outcome.reason and "signed declaration" in outcome.reason


@pytest.mark.parametrize(
    ("request_type", "scope", "points", "declared", "verified", "answer"),
    [
        (R.ACCESS, CAT, 2, False, True, CAT),
        (R.ACCESS, CAT, 1, False, False, None),
        (R.ACCESS, PIECES, 3, True, True, PIECES),
        (R.ACCESS, PIECES, 3, False, True, CAT),  # three points but no declaration
        (R.ACCESS, PIECES, 1, True, False, None),
        (R.ACCESS, None, 2, False, True, CAT),  # access without a scope asks for specific pieces
        (R.PORTABILITY, None, 3, True, True, PIECES),
        (R.PORTABILITY, None, 2, False, True, CAT),
        (R.ERASURE, None, 2, False, True, None),
        (R.ERASURE, None, 1, False, False, None),
        (R.RECTIFICATION, None, 2, False, True, None),
        (R.OPT_OUT_SALE_SHARE, None, 0, False, True, None),
        (R.LIMIT_SENSITIVE, None, 0, False, True, None),
    ],
)
@pytest.mark.req("INT-4")
def test_int4_verification_levels_for_non_account_holders(
    request_type: RequestType,
    scope: AccessScope | None,
    points: int,
    declared: bool,
    verified: bool,
    answer: AccessScope | None,
) -> None:
    outcome = levels.assess_points(
        request_type, matched_points=points, signed_declaration=declared, scope=scope
    )
    assert (outcome.verified, outcome.scope) == (verified, answer)
    assert outcome.reason


@pytest.mark.req("INT-4")
def test_int4_unverified_outcome_names_the_level_needed() -> None:
    outcome = levels.assess_points(R.ERASURE, matched_points=1)
    assert not outcome.verified
    assert "reasonable degree" in outcome.reason and "1 data point" in outcome.reason


@pytest.mark.req("INT-5")
def test_int5_verifying_via_email_is_refused_when_the_email_is_corrected() -> None:
    with pytest.raises(errors.VerificationRefused) as caught:
        levels.check_correction_channel(["Email"], ["email"])
    assert caught.value.field == "verified_via"
    assert "email" in str(caught.value)


@pytest.mark.parametrize(
    ("corrected", "via"),
    [(["email"], ["phone"]), (["name", "address"], ["email"]), (["phone"], ["host_token"])],
)
@pytest.mark.req("INT-5")
def test_int5_verifying_through_other_data_is_accepted(corrected: list[str], via: list[str]) -> None:
    assert levels.check_correction_channel(corrected, via) is None


@pytest.mark.req("INT-5")
def test_int5_overlap_in_several_fields_names_them_all() -> None:
    with pytest.raises(errors.VerificationRefused, match="email, phone"):
        levels.check_correction_channel(["phone", "email", "name"], ["email", "phone"])
