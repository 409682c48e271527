"""Plain-language names for the manifest's vocabulary: rights, legal bases, sources, service categories."""

from __future__ import annotations

import re

RIGHTS: dict[str, str] = {
    "access": "Access a copy of your personal information",
    "rectification": "Have inaccurate information corrected",
    "erasure": "Have your information erased",
    "restriction": "Restrict how we process your information",
    "portability": "Receive your information in a portable, machine-readable form",
    "objection": "Object to processing based on legitimate interests or for direct marketing",
    "withdraw_consent": "Withdraw consent at any time",
    "no_automated_decisions": "Not be subject to decisions based solely on automated processing",
    "complain": "Complain to a supervisory authority",
    "know": "Know what personal information we collect, use and disclose",
    "delete": "Have your personal information deleted",
    "correct": "Have inaccurate personal information corrected",
    "opt_out_sale_share": "Opt out of the sale or sharing of your personal information",
    "limit_sensitive": "Limit the use of sensitive personal information",
    "non_discrimination": "Not be treated differently for exercising your rights",
    "appeal": "Appeal a decision we made about your request",
}

GDPR_BASES: dict[str, str] = {
    "consent": "Consent",
    "contract": "Performance of a contract",
    "legal_obligation": "Legal obligation",
    "vital_interests": "Vital interests",
    "public_task": "Public task",
    "legitimate_interests": "Legitimate interests",
}

GDPR_ARTICLES: dict[str, str] = {
    "consent": "Art. 6(1)(a)",
    "contract": "Art. 6(1)(b)",
    "legal_obligation": "Art. 6(1)(c)",
    "vital_interests": "Art. 6(1)(d)",
    "public_task": "Art. 6(1)(e)",
    "legitimate_interests": "Art. 6(1)(f)",
}

GDPR_BASIS_EXPLAINED: dict[str, str] = {
    "consent": "you agreed to a specific use, and you can take that agreement back whenever you like",
    "contract": "we need the information to give you the service you signed up for, or to take the "
    "steps you asked for before signing up",
    "legal_obligation": "a law requires us to process it, for example tax rules or an order of a "
    "court or authority",
    "vital_interests": "processing is needed to protect someone's life or physical safety",
    "public_task": "processing is needed for a task carried out in the public interest",
    "legitimate_interests": "we have a genuine business reason that is not overridden by your "
    "interests, rights and freedoms",
}

CANADA_CONSENT: dict[str, str] = {
    "express": "Express consent",
    "implied": "Implied consent",
}

SOURCES: dict[str, str] = {
    "provided": "you directly",
    "automatic": "your device and browser, automatically",
    "social_login": "the sign-in provider you choose",
    "third_party": "other companies",
}

SERVICE_CATEGORIES: dict[str, str] = {
    "advertising_marketing_lead_generation": "Advertising, marketing and lead generation",
    "third_party_account_connection": "Connecting your third-party accounts",
    "cloud_computing": "Cloud computing and hosting",
    "communicate_and_chat": "Communication and chat with users",
    "invoice_and_billing": "Invoicing and billing",
    "product_metrics": "Product metrics",
    "recruiting": "Recruiting",
    "internal_use": "Internal tools",
    "application_monitoring": "Application monitoring",
}

TRANSFER_MECHANISMS: dict[str, str] = {
    "none": "no transfer outside the region",
    "adequacy": "adequacy decision",
    "dpf": "EU-US Data Privacy Framework",
    "scc": "standard contractual clauses",
    "uk_idta": "UK international data transfer agreement",
    "bcr": "binding corporate rules",
    "derogation": "a derogation for a specific situation (Art. 49 GDPR)",
}

RECIPIENT_KINDS: dict[str, str] = {
    "other_users": "Other users of our services",
    "public": "The public (what you choose to publish)",
    "affiliate": "Companies of our group",
    "authority": "Public authorities",
    "independent_controller": "Companies that decide for themselves how they use it",
}

COOKIE_CATEGORIES: dict[str, str] = {
    "necessary": "Strictly necessary",
    "functional": "Functional",
    "analytics": "Analytics",
    "marketing": "Marketing",
    "targeting": "Targeting",
}

WITHDRAWAL_PATHS: dict[str, str] = {
    "unsubscribe_link": "the unsubscribe link in each email",
    "preference_center": "the preference centre",
    "account_settings": "your account settings",
    "contact": "writing to us",
    "cookie_banner": "the cookie settings",
    "delete_account": "deleting your account",
}

RETENTION_TRIGGERS: dict[str, str] = {
    "account_terminated": "after the account is closed",
    "collected": "after collection",
    "last_activity": "after the last activity",
    "consent_withdrawn": "after consent is withdrawn",
    "contract_ended": "after the contract ends",
}

OPEN_ENDED: dict[str, str] = {
    "account_active": "for as long as the account is active",
    "indefinite": "indefinitely",
}

RETENTION_ACTIONS: dict[str, str] = {
    "erase": "erased",
    "anonymise": "anonymised",
}

def open_ended(trigger: str, reason: str | None) -> str:
    """Return how long data without a fixed period is kept, e.g. 'as long as needed for <reason>'."""
    if trigger == "as_needed":
        return f"as long as needed for {reason}" if reason else "as long as needed"
    return OPEN_ENDED.get(trigger, trigger.replace("_", " "))


_DURATION_PART = re.compile(r"(\d+)([YMWDHS])")
_DATE_UNITS = {"Y": "year", "M": "month", "W": "week", "D": "day"}
_TIME_UNITS = {"H": "hour", "M": "minute", "S": "second"}


# Short words an open key may hold that read as capitals ("ai_services" -> "AI services").
ACRONYMS = frozenset({
    "ai", "api", "cdn", "crm", "dns", "erp", "hr", "it", "kyc", "llm", "ml", "seo", "sms", "sso", "ui", "vpn",
})


def label(table: dict[str, str], key: str) -> str:
    """Return the label of a key, or the key made readable when the table does not know it."""
    if key in table:
        return table[key]
    words = [word.upper() if word in ACRONYMS else word for word in key.split("_")]
    text = " ".join(words)
    return text[:1].upper() + text[1:]


def duration(iso: str | None) -> str:
    """Return an ISO 8601 duration in words, e.g. 'P1M' -> '1 month', 'session' -> 'the browser session'.

    A rule without a period (kept while the account is active, as needed, indefinitely) gives "".
    """
    if iso is None:
        return ""
    if iso == "session":
        return "the browser session"
    date_part, _, time_part = iso.removeprefix("P").partition("T")
    words = [_plural(int(n), _DATE_UNITS[u]) for n, u in _DURATION_PART.findall(date_part)]
    words += [_plural(int(n), _TIME_UNITS[u]) for n, u in _DURATION_PART.findall(time_part)]
    return ", ".join(words) or iso


def _plural(count: int, unit: str) -> str:
    return f"{count} {unit}" if count == 1 else f"{count} {unit}s"


def human_list(items: list[str] | tuple[str, ...], conjunction: str = "and") -> str:
    """Join items as prose: 'a', 'a and b', 'a, b and c'."""
    items = [i for i in items if i]
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {conjunction} {items[-1]}"
