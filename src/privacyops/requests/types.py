"""Request types: what each asks for, whether it needs verification, and the right it exercises per regime."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from privacyops.requests import errors


class RequestType(StrEnum):
    ACCESS = "access"
    PORTABILITY = "portability"
    ERASURE = "erasure"
    RECTIFICATION = "rectification"
    RESTRICTION = "restriction"
    LIFT_RESTRICTION = "lift_restriction"
    OBJECTION = "objection"
    WITHDRAW_CONSENT = "withdraw_consent"
    MARKETING_OPT_OUT = "marketing_opt_out"
    OPT_OUT_SALE_SHARE = "opt_out_sale_share"
    LIMIT_SENSITIVE = "limit_sensitive"
    ACCOUNT_DELETION = "account_deletion"


class VerificationLevel(StrEnum):
    """How sure the business must be of who asks (CPPA regulations §7062 for people without an account)."""

    NONE = "none"
    REASONABLE = "reasonable"  # two matching data points
    REASONABLY_HIGH = "reasonably_high"  # three matching data points and a signed declaration


class AccessScope(StrEnum):
    CATEGORIES = "categories"
    SPECIFIC_PIECES = "specific_pieces"


@dataclass(frozen=True)
class RequestTypeInfo:
    """What the engine must know about one request type."""

    type: RequestType
    summary: str
    needs_verification: bool
    counts_toward_twice_rule: bool
    needs_step_up: bool  # discloses, deletes or corrects: an account holder re-authenticates (INT-3)
    non_account_level: VerificationLevel
    is_opt_out: bool = False  # answered on the short opt-out clock where a regime has one (DL-4)


def _info(
    type_: RequestType,
    summary: str,
    *,
    verify: bool = True,
    twice: bool = False,
    step_up: bool = False,
    level: VerificationLevel = VerificationLevel.REASONABLE,
    opt_out: bool = False,
) -> RequestTypeInfo:
    if not verify:
        level = VerificationLevel.NONE
    return RequestTypeInfo(type_, summary, verify, twice, step_up, level, opt_out)


_T = RequestType
_HIGH = VerificationLevel.REASONABLY_HIGH
REQUEST_TYPES: Mapping[RequestType, RequestTypeInfo] = {
    i.type: i
    for i in (
        _info(_T.ACCESS, "see the personal data held and how it is used", twice=True, step_up=True),
        _info(_T.PORTABILITY, "receive the data in a portable format", twice=True, step_up=True, level=_HIGH),
        _info(_T.ERASURE, "have personal data erased", step_up=True),
        _info(_T.RECTIFICATION, "have inaccurate data corrected", step_up=True),
        _info(_T.RESTRICTION, "have processing restricted"),
        _info(_T.LIFT_RESTRICTION, "lift a restriction of processing"),
        _info(_T.OBJECTION, "object to processing"),
        # Stopping processing is harmless to the subject, so these are as easy as the consent was to give.
        _info(_T.WITHDRAW_CONSENT, "withdraw a consent", verify=False),
        _info(_T.MARKETING_OPT_OUT, "stop direct marketing", verify=False, opt_out=True),
        _info(_T.OPT_OUT_SALE_SHARE, "opt out of sale or sharing", verify=False, opt_out=True),
        _info(_T.LIMIT_SENSITIVE, "limit the use of sensitive data", verify=False, opt_out=True),
        _info(_T.ACCOUNT_DELETION, "close the account and erase its data", step_up=True),
    )
}

# Stopping marketing email is everyone's right in the US too (federal, whatever the state law says).
CAN_SPAM_OPT_OUT = "opt out of commercial email (CAN-SPAM Act, 15 U.S.C. 7704(a)(4))"
# The right each request type exercises, per built-in regime id. A type missing from a regime's table is
# not a right under that regime; a business may still honour it, but no statutory clock runs for it there.
_EU_RIGHTS = {
    _T.ACCESS: "right of access (Art. 15)",
    _T.PORTABILITY: "right to data portability (Art. 20)",
    _T.ERASURE: "right to erasure (Art. 17)",
    _T.RECTIFICATION: "right to rectification (Art. 16)",
    _T.RESTRICTION: "right to restriction of processing (Art. 18)",
    _T.LIFT_RESTRICTION: "right to restriction of processing (Art. 18(3))",
    _T.OBJECTION: "right to object (Art. 21(1))",
    _T.WITHDRAW_CONSENT: "withdrawal of consent (Art. 7(3))",
    _T.MARKETING_OPT_OUT: "objection to direct marketing (Art. 21(2)-(3))",
    _T.ACCOUNT_DELETION: "right to erasure (Art. 17)",
}
RIGHTS_BY_REGIME: Mapping[str, Mapping[RequestType, str]] = {
    "gdpr_eea": _EU_RIGHTS,
    "uk_gdpr": {t: f"UK GDPR {right}" for t, right in _EU_RIGHTS.items()},
    "fadp_ch": {
        _T.ACCESS: "right of access (FADP Art. 25)",
        _T.PORTABILITY: "right to data portability (FADP Art. 28)",
        _T.ERASURE: "deletion (FADP Art. 32(2)(c))",
        _T.RECTIFICATION: "correction (FADP Art. 32(1))",
        _T.RESTRICTION: "prohibition of processing (FADP Art. 32(2)(a))",
        _T.LIFT_RESTRICTION: "prohibition of processing (FADP Art. 32(2)(a))",
        _T.OBJECTION: "objection (FADP Art. 30(2)(b))",
        _T.WITHDRAW_CONSENT: "objection (FADP Art. 30(2)(b))",
        _T.MARKETING_OPT_OUT: "objection (FADP Art. 30(2)(b))",
        _T.ACCOUNT_DELETION: "deletion (FADP Art. 32(2)(c))",
    },
    "pipeda_ca": {
        _T.ACCESS: "individual access (PIPEDA Principle 4.9, s. 8)",
        _T.RECTIFICATION: "amendment (PIPEDA Principle 4.9.5)",
        _T.WITHDRAW_CONSENT: "withdrawal of consent (PIPEDA Principle 4.3.8)",
        _T.MARKETING_OPT_OUT: "withdrawal of consent (PIPEDA Principle 4.3.8)",
        _T.ACCOUNT_DELETION: "withdrawal of consent (PIPEDA Principle 4.3.8)",
    },
    "ccpa_ca": {
        _T.ACCESS: "right to know (Civ. Code 1798.110)",
        _T.PORTABILITY: "right to know, portable copy (Civ. Code 1798.130(a)(3)(B))",
        _T.ERASURE: "right to delete (Civ. Code 1798.105)",
        _T.RECTIFICATION: "right to correct (Civ. Code 1798.106)",
        _T.OPT_OUT_SALE_SHARE: "right to opt out of sale or sharing (Civ. Code 1798.120)",
        _T.LIMIT_SENSITIVE: "right to limit sensitive personal information (Civ. Code 1798.121)",
        _T.ACCOUNT_DELETION: "right to delete (Civ. Code 1798.105)",
        _T.MARKETING_OPT_OUT: CAN_SPAM_OPT_OUT,
    },
}
# A starting table for other US state laws (access, deletion, correction, portability, opt-out); a
# regime built with ``regimes.us_state_regime`` may pass its own.
US_STATE_RIGHTS: Mapping[RequestType, str] = {
    _T.ACCESS: "right to access",
    _T.PORTABILITY: "right to a portable copy",
    _T.ERASURE: "right to delete",
    _T.RECTIFICATION: "right to correct",
    _T.OPT_OUT_SALE_SHARE: "right to opt out of sale and targeted advertising",
    _T.ACCOUNT_DELETION: "right to delete",
    _T.MARKETING_OPT_OUT: CAN_SPAM_OPT_OUT,
}


def parse_request_type(value: str, *, field: str = "type") -> RequestType:
    """Return the request type named by ``value`` or raise an error listing the known ones."""
    try:
        return RequestType(value.strip().lower())
    except ValueError:
        known = ", ".join(t.value for t in RequestType)
        raise errors.UnknownRequestType(
            f"unknown request type {value!r}; use one of: {known}", field=field
        ) from None


def info(request_type: RequestType) -> RequestTypeInfo:
    """Return what the engine knows about ``request_type``."""
    return REQUEST_TYPES[request_type]
