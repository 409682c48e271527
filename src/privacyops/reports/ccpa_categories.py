"""The statutory categories of personal information A-K (Cal. Civ. Code 1798.140(v)), in our own words."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CcpaCategory:
    """One lettered category: its statutory title and a plain-language list of what falls in it."""

    letter: str
    title: str
    examples: str


CCPA_CATEGORIES: tuple[CcpaCategory, ...] = (
    CcpaCategory(
        "A", "Identifiers",
        "name or alias, postal or email address, phone number, account name, IP address, "
        "online or other unique identifiers",
    ),
    CcpaCategory(
        "B", "Characteristics of protected classifications under state or federal law",
        "age or date of birth, sex or gender, and other traits the law protects from discrimination",
    ),
    CcpaCategory(
        "C", "Commercial information",
        "purchases, subscriptions, invoices, payment and transaction records",
    ),
    CcpaCategory(
        "D", "Biometric information",
        "fingerprints, face or voice prints and other body-derived identifiers",
    ),
    CcpaCategory(
        "E", "Internet or other electronic network activity",
        "browsing and search history, logs of how a website, app or system was used, "
        "interactions with advertisements",
    ),
    CcpaCategory(
        "F", "Geolocation data",
        "where a device is, whether precise or derived from an IP address",
    ),
    CcpaCategory(
        "G", "Audio, electronic, visual, thermal, olfactory or similar information",
        "pictures, audio or video recordings, profile images",
    ),
    CcpaCategory(
        "H", "Professional or employment-related information",
        "employer, job title, work contact details, career history and qualifications",
    ),
    CcpaCategory(
        "I", "Education information",
        "school records and student directory data that are not publicly available",
    ),
    CcpaCategory(
        "J", "Inferences drawn from other personal information",
        "profiles describing a person's preferences, tendencies or characteristics",
    ),
    CcpaCategory(
        "K", "Sensitive personal information",
        "government identifiers, account log-in credentials, precise location, health, "
        "and any such data contained in content people submit",
    ),
)

BY_LETTER: dict[str, CcpaCategory] = {category.letter: category for category in CCPA_CATEGORIES}
