"""Lint rules that test the notice's own statements against the declared facts (NV-1, NV-3, NV-4, CN-2)."""

from __future__ import annotations

from collections.abc import Iterator

from privacyops.manifest.errors import Finding
from privacyops.manifest.regions import is_us
from privacyops.manifest.rules_base import Context, months_between, names

STALE_MONTHS = 12
DUE_MONTHS = 11
TRACKING_WORDS = ("targeting", "marketing", "pixel", "beacon", "tag")


def sensitive_claim(ctx: Context) -> Iterator[Finding]:
    """NV-4: 'no sensitive personal information' while the CCPA table says K or a category is sensitive."""
    m = ctx.manifest
    if not m.notice.claims.no_sensitive_information:
        return
    reasons = []
    if m.notice.ccpa_table.get("K"):
        reasons.append("the CCPA table states category K (sensitive personal information) as YES")
    flagged = sorted(k for k in m.collected_categories() if m.data_categories[k].sensitive is not False)
    if flagged:
        reasons.append(f"collected categories may be sensitive: {names(flagged)}")
    if reasons:
        yield ctx.finding(
            "warning", "sensitive-claim-contradicted", ("notice", "claims", "no_sensitive_information"),
            "the notice says no sensitive personal information is processed, but " + "; ".join(reasons),
            "state that sensitive data may be processed (e.g. inside ingested payloads) and how it is "
            "limited, or set the category's sensitive: false and K to NO",
        )


def sold_shared_claim(ctx: Context) -> Iterator[Finding]:
    """NV-4: 'not sold or shared' while targeting cookies, pixels or beacons share data for advertising."""
    m = ctx.manifest
    claims = m.notice.claims
    if not claims.not_sold_or_shared_12_months:
        return
    trackers = [c.name for c in m.cookies if c.category in ("targeting", "marketing") or c.pixel]
    stated = [w for w in claims.collected_and_shared_through if any(t in w for t in TRACKING_WORDS)]
    if trackers or stated or m.notice.ccpa_disclosures.shared or m.notice.ccpa_disclosures.sold:
        what = names(stated) if stated else names(trackers) if trackers else "recorded sale/share disclosures"
        yield ctx.finding(
            "warning", "sold-shared-claim-contradicted", ("notice", "claims", "not_sold_or_shared_12_months"),
            f"the notice says no personal information was sold or shared in 12 months, but it collects and "
            f"shares data through {what}; under the CCPA targeting cookies and pixels count as sharing",
            "drop the third-party targeting trackers, or disclose the sharing and offer the opt-out "
            "(honour GPC, 'Do Not Sell or Share' link)",
        )


def ccpa_table(ctx: Context) -> Iterator[Finding]:
    """NV-3/NV-4: the stated CCPA table must match the letters of the collected categories."""
    m = ctx.manifest
    if not m.notice.ccpa_table:
        return
    computed = m.ccpa_collected()
    for letter, stated in sorted(m.notice.ccpa_table.items()):
        if stated or not computed[letter]:
            continue
        sources = sorted(k for k in m.collected_categories() if m.data_categories[k].ccpa == letter)
        yield ctx.finding(
            "warning", "ccpa-category-understated", ("notice", "ccpa_table", letter),
            f"the CCPA table states category {letter} as NO, but these collected categories fall under it: "
            f"{names(sources)}",
            f"state {letter} as YES (the generated notice computes it), or map those categories to another "
            "letter",
        )
    for letter, stated in sorted(m.notice.ccpa_table.items()):
        if stated and not computed[letter]:
            yield ctx.finding(
                "info", "ccpa-category-overstated", ("notice", "ccpa_table", letter),
                f"the CCPA table states category {letter} as YES, but no collected category falls under it",
                f"declare the data behind {letter} or state it as NO",
            )


def minors_clause(ctx: Context) -> Iterator[Finding]:
    """NV-4: a minimum age that a parent's or guardian's consent can override contradicts itself."""
    minors = ctx.manifest.minors
    if minors is not None and minors.guardian_consent_allowed and minors.knowingly_collects is False:
        yield ctx.finding(
            "warning", "minors-guardian-contradiction", ("minors", "guardian_consent_allowed"),
            f"the notice says no data is knowingly collected from people under {minors.minimum_age}, yet "
            "lets a parent or guardian consent to a minor's use, which means minors' data is knowingly "
            "collected",
            "either refuse minors outright (guardian_consent_allowed: false) or describe how minors' data is "
            "collected with verified guardian consent (knowingly_collects: true)",
        )


def third_party_claim(ctx: Context) -> Iterator[Finding]:
    """'We receive no information from third parties' while categories come from social logins."""
    m = ctx.manifest
    if not m.notice.claims.no_third_party_sources:
        return
    received = sorted(k for k in m.collected_categories()
                      if {"social_login", "third_party"} & set(m.data_categories[k].source))
    if received:
        yield ctx.finding(
            "warning", "third-party-claim-contradicted", ("notice", "claims", "no_third_party_sources"),
            f"the notice says nothing is received from third parties, but these categories come from social "
            f"login providers or other third parties: {names(received)}",
            "name the social login providers as a source in the notice, or remove the claim",
        )


def withdrawal_tied_to_deletion(ctx: Context) -> Iterator[Finding]:
    """CN-2: withdrawing consent must not require deleting the account."""
    m = ctx.manifest
    if m.notice.claims.withdrawal_requires_account_deletion:
        yield ctx.finding(
            "warning", "withdrawal-tied-to-account-deletion",
            ("notice", "claims", "withdrawal_requires_account_deletion"),
            "the notice ties withdrawing consent to deleting the account; withdrawal must be as easy as "
            "giving consent and possible per purpose",
            "offer withdrawal per purpose (preference center, unsubscribe link) and drop the "
            "account-deletion wording",
        )
    for key, purpose in m.purposes.items():
        if "delete_account" in purpose.withdrawal:
            yield ctx.finding(
                "warning", "withdrawal-tied-to-account-deletion", ("purposes", key, "withdrawal"),
                f"purpose `{key}` names account deletion as a way to withdraw consent",
                "offer a withdrawal path that keeps the account "
                "(preference_center, unsubscribe_link, contact)",
            )


def notice_age(ctx: Context) -> Iterator[Finding]:
    """NV-1: the notice must be reviewed at least every 12 months; warn from month 11."""
    updated = ctx.manifest.notice.last_updated
    if updated is None:
        return  # notice-date-missing asks for it
    age = months_between(updated, ctx.today)
    path = ("notice", "last_updated")
    # The yearly refresh is a duty of the California law (1798.130(a)(5)); elsewhere it is good practice.
    duty = any(is_us(region) for region in ctx.manifest.regions.values())
    if age >= STALE_MONTHS:
        yield ctx.finding("error" if duty else "warning", "notice-stale", path,
                          f"the notice was last updated on {updated} ({age} months ago); "
                          + ("it must be refreshed at least every 12 months" if duty
                             else "a yearly review keeps it true"),
                          "review the notice, publish a new version and update notice.last_updated")
    elif age >= DUE_MONTHS:
        yield ctx.finding("warning", "notice-review-due", path,
                          f"the notice was last updated on {updated} ({age} months ago); it becomes stale at "
                          "12 months", "schedule the yearly review and update notice.last_updated")
    if updated > ctx.today:
        yield ctx.finding("warning", "notice-date-future", path,
                          f"notice.last_updated {updated} lies in the future",
                          "use the date it was published")


RULES = {
    "sensitive-claim-contradicted": sensitive_claim,
    "sold-shared-claim-contradicted": sold_shared_claim,
    "ccpa-category-understated": ccpa_table,
    "minors-guardian-contradiction": minors_clause,
    "third-party-claim-contradicted": third_party_claim,
    "withdrawal-tied-to-account-deletion": withdrawal_tied_to_deletion,
    "notice-stale": notice_age,
}
