"""The California table A-K is computed from the declared categories, and the statements from disclosures."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from privacyops.reports import ccpa
from privacyops.reports.ccpa_categories import CCPA_CATEGORIES

from .manifests import add_category, bare, drop_category, edited, seed


def answers(manifest) -> dict[str, str]:
    return {row.letter: row.answer for row in ccpa.ccpa_table(manifest)}


def test_table_has_the_eleven_letters_in_order() -> None:
    rows = ccpa.ccpa_table(seed())
    assert [r.letter for r in rows] == list("ABCDEFGHIJK")
    assert [r.title for r in rows] == [c.title for c in CCPA_CATEGORIES]
    assert all(r.examples for r in rows)


@pytest.mark.req("NV-3")
def test_seed_collects_k_but_not_b() -> None:
    result = answers(seed())
    assert result["K"] == "YES"
    assert result["B"] == "NO"
    assert result["A"] == "YES"
    assert result["J"] == "NO"


@pytest.mark.parametrize(
    ("key", "name", "letter"),
    [
        ("user.demographic.gender", "Gender", "B"),
        ("user.biometric.fingerprint", "Fingerprints", "D"),
        ("user.behavior", "Interest profile", "J"),
    ],
)
@pytest.mark.req("NV-3")
def test_declaring_a_used_category_flips_its_letter(key: str, name: str, letter: str) -> None:
    assert answers(seed())[letter] == "NO"
    changed = edited(add_category(key, name, letter, "account_management"))
    row = next(r for r in ccpa.ccpa_table(changed) if r.letter == letter)
    assert row.answer == "YES"
    assert row.categories == (key,)
    assert row.category_names == (name,)
    assert "Create, authenticate and manage user accounts" in row.purposes


@pytest.mark.req("NV-3")
def test_dropping_the_only_k_category_flips_k_to_no() -> None:
    changed = edited(drop_category("user.content.llm_payload"))
    assert answers(changed)["K"] == "NO"


@pytest.mark.req("NV-3")
def test_computed_value_wins_where_the_stated_table_differs() -> None:
    rows = {r.letter: r for r in ccpa.ccpa_table(seed())}
    # The seed's own table says E = NO although log and usage data is collected.
    assert rows["E"].stated is False
    assert rows["E"].collected is True
    assert rows["E"].differs
    assert not rows["A"].differs


def test_row_names_sources_purposes_and_recipients() -> None:
    rows = {r.letter: r for r in ccpa.ccpa_table(seed())}
    assert "Stripe" in rows["C"].recipients
    assert "provided" in rows["A"].sources
    assert "automatic" in rows["E"].sources
    assert rows["B"].recipients == () and rows["B"].purposes == ()


def test_disclosures_for_business_purpose_come_from_the_recipients_and_the_claims() -> None:
    d = ccpa.ccpa_disclosures(seed())
    assert {"A", "K"} <= set(d.business_purpose)
    assert "C" in d.business_purpose  # Stripe receives card data, whatever the notice claims
    assert "Stripe" in d.recipients_by_letter["C"]
    assert d.sold == () and d.shared == ()
    assert not d.sold_or_shared
    assert d.window_start == dt.date(2025, 3, 26) and d.as_of == dt.date(2026, 3, 26)


@pytest.mark.req("NV-3")
def test_one_recorded_share_in_the_window_flips_the_statement() -> None:
    inside = ccpa.RecordedDisclosure("A", "share", dt.date(2025, 12, 1), "Ad network")
    d = ccpa.ccpa_disclosures(seed(), [inside])
    assert d.shared == ("A",)
    assert d.sold_or_shared


@pytest.mark.parametrize("day", [dt.date(2025, 3, 26), dt.date(2024, 1, 1), dt.date(2026, 3, 27)])
@pytest.mark.req("NV-3")
def test_a_share_outside_the_twelve_months_does_not_count(day: dt.date) -> None:
    d = ccpa.ccpa_disclosures(seed(), [ccpa.RecordedDisclosure("A", "sale", day)])
    assert d.sold == ()


def test_recorded_business_disclosure_adds_its_recipient() -> None:
    event = ccpa.RecordedDisclosure("D", "business_purpose", dt.date(2026, 1, 5), "Lab Inc")
    d = ccpa.ccpa_disclosures(seed(), [event])
    assert "D" in d.business_purpose
    assert d.recipients_by_letter["D"] == ("Lab Inc",)


def test_third_party_advertising_trackers_are_reported() -> None:
    assert "HubSpot" in ccpa.ccpa_disclosures(seed()).advertising_trackers
    assert ccpa.ccpa_disclosures(bare()).advertising_trackers == ()


def test_leap_day_window() -> None:
    d = ccpa.ccpa_disclosures(bare(), as_of=dt.date(2028, 2, 29))
    assert d.window_start == dt.date(2027, 2, 28)


def test_report_is_plain_json_and_markdown() -> None:
    report = json.loads(json.dumps(ccpa.ccpa_report(seed())))
    assert [row["answer"] for row in report["table"]][10] == "YES"
    assert report["table"][4]["differs_from_notice"] is True
    assert report["disclosures"]["as_of"] == "2026-03-26"
    text = ccpa.to_markdown(seed())
    assert "| K. Sensitive personal information | YES |" in text
    assert "NO (differs; computed value used)" in text
    assert "- Sold: none" in text


@pytest.mark.req("NV-3")
def test_a_source_or_a_none_the_manifest_does_not_declare_is_not_stated() -> None:
    # The bare manifest declares no source for its email category and no twelve-month disclosures.
    rows = {r.letter: r for r in ccpa.ccpa_table(bare())}
    assert rows["A"].collected and rows["A"].sources == ()
    text = ccpa.to_markdown(bare())
    assert "- Sold: none recorded; not declared (notice.ccpa_disclosures)" in text
    assert "- Sold: none\n" not in text
