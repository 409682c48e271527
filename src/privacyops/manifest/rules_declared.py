"""Lint rules for what a notice must not assume: placeholders, undeclared duties and contradictions.

A generated notice states only what the manifest declares, so a statement the law requires (Art. 13(2)(f)
automated decisions, the CCPA's twelve-month disclosures, a last-updated date) must be declared, and a
value an author filled in to get past a required key (an example address, 1970-01-01) must be caught.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

from privacyops.manifest.declared import declared
from privacyops.manifest.errors import Finding
from privacyops.manifest.regions import covered_countries, is_us
from privacyops.manifest.rules_base import Context, names
from privacyops.manifest.schema import Manifest
from privacyops.manifest.source import Path

PLACEHOLDER = re.compile(
    r"(\b(tbd|todo|fixme|xxx+|lorem|ipsum|placeholder|n/a|unknown|street name|your company)\b"
    r"|\[[^\]]*\]|<[^>]*>|@example\.(com|org|net)\b|\.example\b|^0+$|\b123 main\b)",
    re.IGNORECASE,
)
EARLIEST_REAL_DATE = dt.date(2000, 1, 1)
ACCOUNT_TRIGGERS = ("account_terminated", "account_active")


def _texts(m: Manifest) -> Iterator[tuple[Path, str]]:
    c = m.controller
    if c.address is not None:
        yield from ((("controller", "address", k), v) for k, v in c.address.model_dump().items() if v)
    yield ("controller", "email"), c.email
    yield from ((("controller", k), v) for k in ("phone", "website") if (v := getattr(c, k)))
    yield ("contacts", "privacy_email"), m.contacts.privacy_email
    if m.contacts.postal_address is not None:
        yield from ((("contacts", "postal_address", k), v)
                    for k, v in m.contacts.postal_address.model_dump().items() if v)
    for role in ("representative_eea", "representative_uk", "dpo"):
        person = getattr(c, role)
        if person is not None:
            yield from ((("controller", role, k), v)
                        for k in ("name", "email", "phone") if (v := getattr(person, k)))


def placeholders(ctx: Context) -> Iterator[Finding]:
    """Flag contact details and dates that look invented to fill a required key."""
    for path, value in _texts(ctx.manifest):
        if PLACEHOLDER.search(str(value)):
            yield ctx.finding(
                "warning", "placeholder-value", path,
                f"{path[-1]} {value!r} looks like a placeholder; the notice would print it as a fact",
                "write the real value, or leave the key out if it is optional (address, phone)",
            )
    notice = ctx.manifest.notice
    for key in ("last_updated", "effective_date"):
        day = getattr(notice, key)
        if day is not None and day < EARLIEST_REAL_DATE:
            yield ctx.finding(
                "warning", "placeholder-value", ("notice", key),
                f"notice.{key} {day} looks like a placeholder date",
                f"write the date the notice was published, or leave notice.{key} out",
            )


def transfer_none_outside(ctx: Context) -> Iterator[Finding]:
    """Flag `transfer: none` for a recipient in a country outside every declared region."""
    m = ctx.manifest
    inside = covered_countries(m)
    for section in ("subprocessors", "recipients"):
        for i, item in enumerate(getattr(m, section)):
            if item.transfer == "none" and item.country and item.country.upper() not in inside:
                yield ctx.finding(
                    "warning", "transfer-none-outside-region", (section, i, "transfer"),
                    f"{item.name} is in {item.country}, outside every declared region, yet states "
                    "transfer: none (no transfer)",
                    "state the safeguard (dpf, scc, adequacy, bcr) or correct the country",
                )


def ccpa_letter_vs_sensitive(ctx: Context) -> Iterator[Finding]:
    """Flag a CCPA letter K on a category declared not sensitive, and sensitive data under another letter."""
    for key, c in ctx.manifest.data_categories.items():
        path = ("data_categories", key, "ccpa")
        if c.ccpa == "K" and c.sensitive is False:
            yield ctx.finding(
                "warning", "ccpa-letter-contradicts-sensitive", path,
                f"category `{key}` is under CCPA letter K (sensitive personal information) but "
                "sensitive is false",
                "set sensitive: true (or maybe), or map the category to the letter it belongs to",
            )
        elif c.sensitive is True and c.ccpa is not None and c.ccpa != "K":
            yield ctx.finding(
                "warning", "ccpa-letter-contradicts-sensitive", path,
                f"category `{key}` is sensitive but under CCPA letter {c.ccpa}, not K",
                "map it to K, or set sensitive: false if it is not sensitive",
            )


def account_trigger_without_account(ctx: Context) -> Iterator[Finding]:
    """Flag account-based retention for data of people who have no account."""
    m = ctx.manifest
    without = {k for k, s in m.data_subjects.items() if s.has_account is False}
    if not without:
        return
    for i, rule in enumerate(m.retention.rules):
        if rule.trigger not in ACCOUNT_TRIGGERS:
            continue
        subjects = set(rule.subjects) or _subjects_of(m, rule)
        hit = sorted(subjects & without)
        if hit:
            yield ctx.finding(
                "warning", "account-trigger-without-account", ("retention", "rules", i, "trigger"),
                f"retention rule `{rule.name}` counts from the account ({rule.trigger}), but it covers data "
                f"of people who have no account: {names(hit)}",
                "add a rule for their data with another trigger (collected, last_activity, as_needed), "
                "and limit this one with subjects:",
            )


def _subjects_of(m: Manifest, rule: object) -> set[str]:
    from privacyops.reports import inventory  # the inventory lookups live with the reports

    covered = inventory.rule_categories(m, rule)  # type: ignore[arg-type]
    return {s for p in m.purposes.values() if inventory.touches(p.categories, covered) for s in p.subjects}


def recipients_without_purpose(ctx: Context) -> Iterator[Finding]:
    """Flag recipients that are linked to no purpose: the records of processing cannot place them."""
    for section in ("subprocessors", "recipients"):
        for i, item in enumerate(getattr(ctx.manifest, section)):
            if not item.purposes:
                yield ctx.finding(
                    "warning", "recipient-without-purpose", (section, i),
                    f"{item.name} is declared as a recipient but linked to no purpose",
                    f"add purposes: [<purpose keys>] to {section}[{i}]",
                )


def required_statements(ctx: Context) -> Iterator[Finding]:
    """Require the statements the law asks for, instead of letting the notice assume them."""
    m = ctx.manifest
    gdpr = any(r.basis_regime == "gdpr" for r in m.regions.values())
    us = any(is_us(r) for r in m.regions.values())
    if gdpr and not declared(m, ("automated_decisions",)):
        yield ctx.finding(
            "error", "automated-decisions-undeclared", (),
            "a GDPR region is declared but automated_decisions is not: Art. 13(2)(f) requires the notice "
            "to say whether decisions are taken solely by automated means",
            "add automated_decisions: [] (none) or list each decision",
        )
    if m.notice.last_updated is None:
        yield ctx.finding(
            "error" if us else "warning", "notice-date-missing", ("notice",),
            "the notice states no last_updated date" + (" (required by the CCPA)" if us else ""),
            "add notice.last_updated: <the date it was published>",
        )
    if us and not declared(m, ("notice", "ccpa_disclosures")):
        yield ctx.finding(
            "warning", "ccpa-disclosures-undeclared", ("notice",),
            "a US region is declared but notice.ccpa_disclosures is not: the notice cannot state whether "
            "personal information was sold, shared or disclosed",
            "add notice.ccpa_disclosures: {sold: [], shared: [], business_purpose: [...]}",
        )
    if us and not declared(m, ("signals", "dnt")):
        yield ctx.finding(
            "warning", "signals-undeclared", ("signals",) if declared(m, ("signals",)) else (),
            "a US region is declared but signals.dnt is not: California asks the notice to say how "
            "Do-Not-Track is answered",
            "add signals: {dnt: {honoured: false}, gpc: {honoured: true}} as they apply",
        )


RULES = {
    "placeholder-value": placeholders,
    "transfer-none-outside-region": transfer_none_outside,
    "ccpa-letter-contradicts-sensitive": ccpa_letter_vs_sensitive,
    "account-trigger-without-account": account_trigger_without_account,
    "recipient-without-purpose": recipients_without_purpose,
    "automated-decisions-undeclared": required_statements,
}
