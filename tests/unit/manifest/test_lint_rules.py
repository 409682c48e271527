"""Each lint rule fires on a manifest built to break it and stays silent once it is fixed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from privacyops.manifest.lint import RULES, has_errors, lint
from privacyops.manifest.load import load_text

from .conftest import TODAY, dump, minimal_data

Edit = Callable[[dict[str, Any]], None]


def claims(**values: Any) -> Edit:
    def edit(d: dict[str, Any]) -> None:
        d["notice"].setdefault("claims", {}).update(values)
    return edit


def chain(*edits: Edit) -> Edit:
    def edit(d: dict[str, Any]) -> None:
        for one in edits:
            one(d)
    return edit


def set_at(path: str, value: Any) -> Edit:
    def edit(d: dict[str, Any]) -> None:
        *parents, last = path.split("/")
        node = d
        for name in parents:
            node = node[int(name)] if isinstance(node, list) else node[name]
        node[last] = value
    return edit


def add_category(key: str, **spec: Any) -> Edit:
    def edit(d: dict[str, Any]) -> None:
        d["data_categories"][key] = {"name": key, **spec}
    return edit


def use_in_account(key: str, retained: bool = True) -> Edit:
    def edit(d: dict[str, Any]) -> None:
        d["purposes"]["account"]["categories"].append(key)
        if retained:
            d["retention"]["rules"][0]["data"].append(key)
    return edit


def no_op(d: dict[str, Any]) -> None:
    return None


def drop(path: str) -> Edit:
    def edit(d: dict[str, Any]) -> None:
        *parents, last = path.split("/")
        node = d
        for name in parents:
            node = node[name]
        node.pop(last)
    return edit


CALIFORNIA = set_at("regions/us-ca", {"name": "California", "law": "CCPA", "countries": ["US-CA"],
                                      "rights": ["know", "delete"], "deadline": {"days": 45}})


def provider(**spec: Any) -> dict[str, Any]:
    return {"name": "Mail Co", "service": "communicate_and_chat", "country": "DE", "transfer": "none",
            "categories": ["user.contact.email"], "purposes": ["newsletter"], **spec}


PAYLOAD = add_category("user.content.llm_payload", custom=True, parent="user.content", ccpa="K",
                       sensitive="maybe")
LOGS = add_category("user.behavior.logs", custom=True, parent="user.behavior", ccpa="E", source="automatic")
PIXEL = {"name": "ad pixel", "provider": "AdCo", "category": "targeting", "duration": "session",
         "pixel": True}
EXPRESS = chain(set_at("purposes/account/basis/pipeda", "express_consent"),
                set_at("purposes/account/withdrawal", ["preference_center"]))

# (code, edit that breaks the rule, edit that fixes it again, expected key, expected level)
CASES = [
    ("sensitive-claim-contradicted",
     chain(claims(no_sensitive_information=True), set_at("notice/ccpa_table", {"K": "YES"})),
     set_at("notice/ccpa_table", {"K": "NO"}), "notice.claims.no_sensitive_information", "warning"),
    ("sensitive-claim-contradicted",
     chain(claims(no_sensitive_information=True), PAYLOAD, use_in_account("user.content.llm_payload"),
           EXPRESS),
     chain(set_at("data_categories/user.content.llm_payload/sensitive", False),
           drop("data_categories/user.content.llm_payload/ccpa")),
     "notice.claims.no_sensitive_information", "warning"),
    ("sold-shared-claim-contradicted",
     chain(claims(not_sold_or_shared_12_months=True), set_at("cookies", [PIXEL])),
     set_at("cookies", []), "notice.claims.not_sold_or_shared_12_months", "warning"),
    ("sold-shared-claim-contradicted",
     claims(not_sold_or_shared_12_months=True, collected_and_shared_through=["targeting_cookies"]),
     claims(collected_and_shared_through=[]), "notice.claims.not_sold_or_shared_12_months", "warning"),
    ("ccpa-category-understated",
     chain(LOGS, use_in_account("user.behavior.logs"), set_at("notice/ccpa_table", {"A": "YES", "E": "NO"})),
     set_at("notice/ccpa_table", {"A": "YES", "E": "YES"}), "notice.ccpa_table.E", "warning"),
    ("ccpa-category-overstated", set_at("notice/ccpa_table", {"A": "YES", "G": "YES"}),
     set_at("notice/ccpa_table", {"A": "YES", "G": "NO"}), "notice.ccpa_table.G", "info"),
    ("minors-guardian-contradiction", set_at("minors/guardian_consent_allowed", True),
     set_at("minors/guardian_consent_allowed", False), "minors.guardian_consent_allowed", "warning"),
    ("third-party-claim-contradicted",
     chain(claims(no_third_party_sources=True), set_at("data_categories/user.name/source", ["social_login"])),
     set_at("data_categories/user.name/source", ["provided"]), "notice.claims.no_third_party_sources",
     "warning"),
    ("withdrawal-tied-to-account-deletion", claims(withdrawal_requires_account_deletion=True),
     claims(withdrawal_requires_account_deletion=False),
     "notice.claims.withdrawal_requires_account_deletion", "warning"),
    ("withdrawal-tied-to-account-deletion",
     set_at("purposes/newsletter/withdrawal", ["unsubscribe_link", "delete_account"]),
     set_at("purposes/newsletter/withdrawal", ["unsubscribe_link"]), "purposes.newsletter.withdrawal",
     "warning"),
    # A yearly refresh is the California law's duty (an error there) and good practice elsewhere.
    ("notice-stale", set_at("notice/last_updated", dt.date(2025, 11, 25)),
     set_at("notice/last_updated", dt.date(2026, 11, 1)), "notice.last_updated", "warning"),
    ("notice-stale", chain(CALIFORNIA, set_at("notice/ccpa_disclosures", {}),
                           set_at("signals", {"dnt": {"honoured": False}}),
                           set_at("notice/last_updated", dt.date(2025, 11, 25))),
     set_at("notice/last_updated", dt.date(2026, 11, 1)), "notice.last_updated", "error"),
    ("notice-review-due", set_at("notice/last_updated", dt.date(2025, 12, 20)),
     set_at("notice/last_updated", dt.date(2026, 1, 26)), "notice.last_updated", "warning"),
    ("notice-date-future", set_at("notice/last_updated", dt.date(2027, 1, 1)),
     set_at("notice/last_updated", dt.date(2026, 11, 26)), "notice.last_updated", "warning"),
    ("consent-without-withdrawal", set_at("purposes/newsletter/withdrawal", []),
     set_at("purposes/newsletter/withdrawal", ["preference_center"]), "purposes.newsletter.basis", "error"),
    ("consent-without-withdrawal", set_at("purposes/newsletter/withdrawal", ["delete_account"]),
     set_at("purposes/newsletter/withdrawal", ["contact"]), "purposes.newsletter.basis", "error"),
    ("purpose-without-basis", set_at("purposes/account/basis", {"pipeda": "implied_consent"}),
     set_at("purposes/account/basis", {"gdpr": "contract", "pipeda": "implied_consent"}),
     "purposes.account.basis", "error"),
    ("purpose-without-basis", set_at("purposes/account/basis", {"gdpr": "contract"}),
     set_at("purposes/account/basis/pipeda", {"consent": "implied"}), "purposes.account.basis", "error"),
    ("canada-without-consent-or-exception", set_at("purposes/account/basis/pipeda", {}),
     chain(set_at("canada_exceptions", {"fraud": {"citation": "PIPEDA s. 7(3)(d.2)", "text": "fraud"}}),
           set_at("purposes/account/basis/pipeda", {"exception_ref": "fraud"})),
     "purposes.account.basis.pipeda", "error"),
    ("canada-sensitive-implied-consent",
     chain(PAYLOAD, use_in_account("user.content.llm_payload")),
     EXPRESS, "purposes.account.basis.pipeda", "warning"),
    ("legitimate-interest-undescribed", set_at("purposes/account/basis/gdpr", "legitimate_interests"),
     set_at("purposes/account/legitimate_interest", "Keeping accounts working"),
     "purposes.account.basis.gdpr", "warning"),
    ("category-without-retention", chain(LOGS, use_in_account("user.behavior.logs", retained=False)),
     set_at("retention/rules/0/data", ["app_db.*", "user.behavior.logs"]), "retention.rules", "warning"),
    ("category-without-retention", set_at("retention/rules/0/data", ["app_db.users.email"]),
     set_at("retention/rules/0/data", ["app_db.users"]), "retention.rules", "warning"),
    ("shared-category-not-collected",
     chain(add_category("user.contact.phone_number", ccpa="A"),
           set_at("subprocessors", [{"name": "SMS Co", "service": "communicate_and_chat", "country": "US",
                                     "transfer": "scc", "categories": ["user.contact.phone_number"],
                                     "purposes": ["account"]}])),
     use_in_account("user.contact.phone_number"), "subprocessors[0].categories[0]", "warning"),
    ("disclosed-category-not-collected", set_at("notice/ccpa_disclosures", {"business_purpose": ["A", "K"]}),
     set_at("notice/ccpa_disclosures", {"business_purpose": ["A"]}),
     "notice.ccpa_disclosures.business_purpose[1]", "warning"),
    ("deadline-for-ungranted-right",
     set_at("regions/eea/right_deadlines", {"portability": {"days": 10}}),
     set_at("regions/eea/rights", ["access", "erasure", "withdraw_consent", "portability"]),
     "regions.eea.right_deadlines.portability", "warning"),
    ("placeholder-value", set_at("controller/email", "privacy@example.com"),
     set_at("controller/email", "privacy@sample-gmbh.de"), "controller.email", "warning"),
    ("placeholder-value", set_at("controller/address/street", "[street]"),
     set_at("controller/address/street", "Main St 1"), "controller.address.street", "warning"),
    ("placeholder-value", set_at("notice/effective_date", dt.date(1970, 1, 1)),
     set_at("notice/effective_date", dt.date(2026, 6, 1)), "notice.effective_date", "warning"),
    ("transfer-none-outside-region", set_at("subprocessors", [provider(country="US")]),
     set_at("subprocessors/0/transfer", "scc"), "subprocessors[0].transfer", "warning"),
    ("ccpa-letter-contradicts-sensitive",
     add_category("user.content.notes", custom=True, parent="user.content", ccpa="K"),
     set_at("data_categories/user.content.notes/sensitive", True), "data_categories.user.content.notes.ccpa",
     "warning"),
    ("ccpa-letter-contradicts-sensitive",
     add_category("user.content.notes", custom=True, parent="user.content", ccpa="A", sensitive=True),
     set_at("data_categories/user.content.notes/ccpa", "K"), "data_categories.user.content.notes.ccpa",
     "warning"),
    ("account-trigger-without-account",
     chain(set_at("data_subjects", {"visitor": {"name": "Visitors", "has_account": False}}),
           set_at("purposes/newsletter/subjects", ["visitor"])),
     set_at("data_subjects/visitor/has_account", True), "retention.rules[0].trigger", "warning"),
    ("recipient-without-purpose", set_at("subprocessors", [provider(purposes=[])]),
     set_at("subprocessors/0/purposes", ["newsletter"]), "subprocessors[0]", "warning"),
    ("recipient-without-purpose",
     set_at("recipients", [{"name": "Job board", "kind": "independent_controller"}]),
     set_at("recipients/0/purposes", ["account"]), "recipients[0]", "warning"),
    ("automated-decisions-undeclared", drop("automated_decisions"), set_at("automated_decisions", []), "",
     "error"),
    ("notice-date-missing", drop("notice/last_updated"), set_at("notice/last_updated", dt.date(2026, 6, 1)),
     "notice", "warning"),
    ("notice-date-missing", chain(CALIFORNIA, set_at("notice/ccpa_disclosures", {}),
                                  set_at("signals", {"dnt": {"honoured": False}}),
                                  drop("notice/last_updated")),
     set_at("notice/last_updated", dt.date(2026, 6, 1)), "notice", "error"),
    ("ccpa-disclosures-undeclared", chain(CALIFORNIA, set_at("signals", {"dnt": {"honoured": False}})),
     set_at("notice/ccpa_disclosures", {}), "notice", "warning"),
    ("signals-undeclared", chain(CALIFORNIA, set_at("notice/ccpa_disclosures", {})),
     set_at("signals", {"dnt": {"honoured": False}}), "", "warning"),
]


def lint_codes(data: dict[str, Any]) -> list[Any]:
    text = dump(data)
    return lint(load_text(text, "m.yml"), today=TODAY)


# The requirements a rule's finding enforces (requirements.md); rules not named here enforce none.
REQUIREMENTS = {
    "sensitive-claim-contradicted": ("NV-4",),
    "sold-shared-claim-contradicted": ("NV-4",),
    "ccpa-category-understated": ("NV-3", "NV-4"),
    "ccpa-category-overstated": ("NV-3",),
    "minors-guardian-contradiction": ("NV-4",),
    "withdrawal-tied-to-account-deletion": ("CN-2",),
    "consent-without-withdrawal": ("CN-2",),
    "notice-stale": ("NV-1",),
    "notice-review-due": ("NV-1",),
    "purpose-without-basis": ("CN-3",),
    "canada-without-consent-or-exception": ("CN-4",),
    "canada-sensitive-implied-consent": ("CN-4",),
    "placeholder-value": ("NV-4",),
    "transfer-none-outside-region": ("NV-4", "RK-2"),
    "ccpa-letter-contradicts-sensitive": ("NV-3", "NV-4"),
    "account-trigger-without-account": ("NV-4",),
    "recipient-without-purpose": ("RK-2",),
    "automated-decisions-undeclared": ("NV-4", "RR-4"),
    "notice-date-missing": ("NV-1",),
    "ccpa-disclosures-undeclared": ("NV-3",),
}


@pytest.mark.parametrize(("code", "breaks", "fixes", "key", "level"), [
    pytest.param(*case, id=f"{case[0]}-{i}", marks=[pytest.mark.req(*REQUIREMENTS[case[0]])]
                 if case[0] in REQUIREMENTS else [])
    for i, case in enumerate(CASES)
])
def test_rule_fires_then_stays_silent_when_fixed(code, breaks, fixes, key, level):
    data = minimal_data()
    breaks(data)
    fired = [f for f in lint_codes(data) if f.code == code]
    assert len(fired) == 1, fired
    finding = fired[0]
    assert (finding.key, finding.level) == (key, level)
    assert finding.file == "m.yml" and finding.line > 0 and finding.fix
    fixes(data)
    assert [f for f in lint_codes(data)] == []


def test_minimal_manifest_lints_clean():
    assert lint(load_text(dump(minimal_data()), "m.yml"), today=TODAY) == []


def test_every_rule_is_exercised():
    exercised = {case[0] for case in CASES}
    assert set(RULES) <= exercised


def test_findings_point_at_the_line_of_their_key():
    data = minimal_data()
    set_at("minors/guardian_consent_allowed", True)(data)
    text = dump(data)
    [finding] = lint(load_text(text, "m.yml"), today=TODAY)
    assert "guardian_consent_allowed" in text.splitlines()[finding.line - 1]


def test_has_errors():
    data = minimal_data()
    set_at("purposes/newsletter/withdrawal", [])(data)
    assert has_errors(lint_codes(data))
    assert not has_errors(lint_codes(minimal_data()))


def test_every_code_the_rules_emit_is_documented():
    import re
    from pathlib import Path

    import privacyops.manifest as package

    root = Path(package.__file__).parent
    source = "".join((root / name).read_text()
                     for name in ("rules_claims.py", "rules_processing.py", "rules_declared.py"))
    codes = set(re.findall(r'"(?:error|warning|info)", "([a-z-]+)"', source))
    assert len(codes) >= 15
    docs = (Path(__file__).resolve().parents[3] / "docs" / "manifest.md").read_text()
    assert {code for code in codes if f"`{code}`" not in docs} == set()
