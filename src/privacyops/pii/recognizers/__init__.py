"""The built-in recognizers, one module each; ``default_recognizers()`` builds the default set."""

from __future__ import annotations

from privacyops.pii.recognizers.address import AddressRecognizer
from privacyops.pii.recognizers.base import Candidate, Detection, Pattern, Recognizer
from privacyops.pii.recognizers.credit_card import CreditCardRecognizer
from privacyops.pii.recognizers.email import EmailRecognizer
from privacyops.pii.recognizers.iban import IbanRecognizer
from privacyops.pii.recognizers.ip_address import IpAddressRecognizer
from privacyops.pii.recognizers.national_id import NationalIdRecognizer
from privacyops.pii.recognizers.person import PersonRecognizer
from privacyops.pii.recognizers.phone import PhoneRecognizer
from privacyops.pii.recognizers.secrets import SecretRecognizer
from privacyops.pii.recognizers.url_query import UrlQueryRecognizer
from privacyops.pii.recognizers.us_ssn import UsSsnRecognizer

DEFAULT_CLASSES: tuple[type[Recognizer], ...] = (
    EmailRecognizer,
    PhoneRecognizer,
    CreditCardRecognizer,
    IbanRecognizer,
    IpAddressRecognizer,
    UsSsnRecognizer,
    NationalIdRecognizer,
    SecretRecognizer,
    UrlQueryRecognizer,
    PersonRecognizer,
    AddressRecognizer,
)

ENTITIES: tuple[str, ...] = tuple(sorted({cls.ENTITY for cls in DEFAULT_CLASSES}))


def default_recognizers() -> list[Recognizer]:
    """Fresh instances of every built-in recognizer."""
    return [cls() for cls in DEFAULT_CLASSES]


__all__ = [
    "DEFAULT_CLASSES",
    "ENTITIES",
    "Candidate",
    "Detection",
    "Pattern",
    "Recognizer",
    "default_recognizers",
]
