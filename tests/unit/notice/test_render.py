"""The generated notice: fifteen sections in order, every fact of the manifest, sound markdown and HTML."""

from __future__ import annotations

import html as htmllib
import re
from typing import Any

import pytest

from privacyops.manifest import schema
from privacyops.notice import labels, render
from privacyops.notice.sections import SECTIONS
from tests.unit.reports.manifests import bare, edited, seed

from .htmlcheck import read

SEED = seed()
MD = render.render_notice(SEED, "md")
PAGE = render.render_notice(SEED, "html")
BODY = render.render_notice_body(SEED)
PAGE_TEXT = read(PAGE).text


def facts(m: schema.Manifest) -> list[str]:
    """Every subprocessor, category, purpose, right and contact a reader must find in the notice."""
    found = [s.name for s in m.subprocessors]
    found += [c.name for c in m.data_categories.values()]
    found += [p.name for p in m.purposes.values()]
    found += [labels.label(labels.RIGHTS, r)[1:] for region in m.regions.values() for r in region.rights]
    found += [region.name for region in m.regions.values()]
    c = m.controller
    found += [c.legal_name, c.email, c.address.street, c.address.city, m.contacts.privacy_email]
    for person in (c.representative_eea, c.representative_uk, c.dpo):
        if person is not None:
            found += [x for x in (person.name, person.email, person.phone) if x]
            if person.address:
                found.append(person.address.street)
    found += [x for x in (c.phone, c.website, m.contacts.phone, m.contacts.dsr_url) if x]
    found += [login.name for login in m.social_logins]
    return found


def unescape_markdown(text: str) -> str:
    return re.sub(r"\\([\\`*_\[\]<>&|#])", r"\1", text)


@pytest.mark.parametrize("fact", facts(SEED))
def test_every_fact_appears_in_markdown(fact: str) -> None:
    assert fact in unescape_markdown(MD)


@pytest.mark.parametrize("fact", facts(SEED))
def test_every_fact_appears_in_html_text(fact: str) -> None:
    assert fact in PAGE_TEXT


def test_seed_subprocessors_of_the_published_notice_are_named() -> None:
    for name in ("HubSpot", "Loops", "Resend", "cal.com", "Google Workspace", "Vercel",
                 "Google Cloud Platform", "AWS", "Clickhouse Cloud", "Cloudflare", "Slack", "Plain.com",
                 "Pylon", "Inkeep", "GitHub", "Stripe", "Ashby", "Linear", "Sentry", "Datadog", "AzureAD"):
        assert name in MD


def test_fifteen_sections_in_order_in_markdown() -> None:
    headings = re.findall(r"^## (\d+)\. (.+)$", MD, flags=re.MULTILINE)
    assert [(int(n), title) for n, title in headings] == [(s.number, s.title) for s in SECTIONS]


def test_fifteen_sections_in_order_in_html() -> None:
    headings = read(BODY).headings
    numbered = [(ident, text) for level, ident, text in headings if level == 2 and text[:1].isdigit()]
    assert numbered == [(s.anchor, s.heading) for s in SECTIONS]


def test_section_titles_keep_the_meaning_of_the_seed() -> None:
    meanings = ["collect", "use", "legal", "receive", "cookies", "social", "how long", "protect", "minors",
                "rights", "do-not-track", "united states", "changes", "contact", "review, update or delete"]
    for section, word in zip(SECTIONS, meanings, strict=True):
        assert word in section.title.lower()


def test_markdown_table_of_contents_links_every_anchor() -> None:
    for section in SECTIONS:
        assert f"{section.number}. [{section.title}](#{section.anchor})" in MD
        assert f'<a id="{section.anchor}"></a>\n\n## {section.heading}' in MD
    for target in set(re.findall(r"\]\(#([a-z0-9-]+)\)", MD)):
        assert f'<a id="{target}">' in MD, target


def test_markdown_starts_with_title_date_and_summary() -> None:
    lines = MD.splitlines()
    assert lines[0] == "# Privacy Policy"
    assert lines[2] == "**Last updated:** 26 March 2026 · version 2026-03-26"
    assert MD.index("## Key points") < MD.index("## Contents") < MD.index("## 1. ")


def _tables(text: str) -> list[list[str]]:
    tables, current = [], []
    for line in text.splitlines():
        if line.startswith("|"):
            current.append(line)
        elif current:
            tables.append(current)
            current = []
    return tables + ([current] if current else [])


def _cells(row: str) -> int:
    return len(re.findall(r"(?<!\\)\|", row)) - 1


def test_markdown_tables_are_rectangular() -> None:
    tables = _tables(MD)
    assert len(tables) >= 10
    for table in tables:
        assert re.fullmatch(r"\|(---\|)+", table[1]), table[:2]
        assert {_cells(row) for row in table} == {_cells(table[0])}, table[0]


def _ccpa_row(text: str, letter: str) -> str:
    return next(line for line in text.splitlines() if line.startswith(f"| {letter}. "))


@pytest.mark.req("NV-3")
def test_ccpa_table_in_the_notice_is_computed() -> None:
    assert _ccpa_row(MD, "K").endswith("| YES |")
    assert _ccpa_row(MD, "B").endswith("| NO |")
    # The seed states E = NO; the notice prints what the inventory says.
    assert _ccpa_row(MD, "E").endswith("| YES |")


@pytest.mark.req("NV-3")
def test_changing_the_categories_flips_a_letter_in_the_notice() -> None:
    def add_gender(d: dict[str, Any]) -> None:
        d["data_categories"]["user.demographic.gender"] = {"name": "Gender", "ccpa": "B"}
        d["purposes"]["account_management"]["categories"].append("user.demographic.gender")

    text = render.render_notice(edited(add_gender), "md")
    assert _ccpa_row(text, "B").endswith("| YES |")
    assert "Gender" in _ccpa_row(text, "B")


@pytest.mark.req("NV-3")
def test_sale_statement_follows_the_disclosures() -> None:
    assert "we have not sold personal information" in MD
    assert "Nor have we shared it" in MD

    def sold(d: dict[str, Any]) -> None:
        d["notice"]["ccpa_disclosures"]["sold"] = ["A"]

    text = render.render_notice(edited(sold), "md")
    assert "we sold personal information in these categories: A. Identifiers" in text
    assert "we have not sold" not in text


def test_sensitive_data_and_sign_in_sources_are_stated_truthfully() -> None:
    summary = MD[MD.index("## Key points"):MD.index("## Contents")]
    assert "content ingested into the Cloud Service" in summary
    assert "do not collect sensitive" not in summary
    assert "Google, GitHub or AzureAD" in summary


def test_rights_section_gives_deadlines_and_extensions_per_region() -> None:
    rights = MD[MD.index("## 10. "):MD.index("## 11. ")]
    assert "### European Economic Area (GDPR)" in rights
    assert "We answer within **1 month**" in rights
    assert "up to **2 months** longer" in rights
    assert "We answer within **45 days**" in rights
    assert "15 business days" in rights
    assert "[Information Commissioner's Office](https://ico.org.uk/make-a-complaint/)" in rights


def test_legal_bases_include_the_canadian_exceptions() -> None:
    bases = MD[MD.index("## 3. "):MD.index("## 4. ")]
    for exception in SEED.canada_exceptions.values():
        assert exception.citation in bases
    assert "| Send marketing and promotional messages | Express consent |" in bases
    assert "Legitimate interests (Art. 6(1)(f))" in bases


def test_subprocessors_are_grouped_by_service_category() -> None:
    sharing = MD[MD.index("## 4. "):MD.index("## 5. ")]
    groups = re.findall(r"^### (.+)$", sharing, flags=re.MULTILINE)
    assert groups[:3] == ["Advertising, marketing and lead generation",
                          "Connecting your third-party accounts", "Cloud computing and hosting"]
    billing = sharing[sharing.index("### Invoicing and billing"):]
    assert billing.split("###")[1].count("| Stripe") == 1


def test_dnt_and_gpc_are_both_stated() -> None:
    signals = MD[MD.index("## 11. "):MD.index("## 12. ")]
    assert "We do not change what we do" in signals
    assert "We honour the Global Privacy Control (GPC) signal" in signals


def test_html_is_well_formed_and_outlined() -> None:
    outline = read(PAGE)
    assert outline.errors == []
    assert outline.tags[:1] == ["html"]
    assert PAGE.startswith("<!DOCTYPE html>")
    assert [lvl for lvl, _, _ in outline.headings].count(1) == 1
    previous = 1
    for level, _, text in outline.headings:
        assert level <= previous + 1, f"heading level jumps before {text!r}"
        previous = level
    assert len(outline.ids) == len(set(outline.ids))
    for href in outline.hrefs:
        if href.startswith("#"):
            assert href[1:] in outline.ids, href


def test_html_page_is_self_contained_and_accessible() -> None:
    outline = read(PAGE)
    html_attrs = dict(outline.attrs)["html"]
    assert html_attrs["lang"] == "en"
    assert {"script", "link", "img", "iframe"}.isdisjoint(outline.tags)
    assert "<style>" in PAGE and "url(" not in PAGE
    assert {"main", "nav", "article", "section", "title"} <= set(outline.tags)
    assert all(attrs.get("scope") == "col" for tag, attrs in outline.attrs if tag == "th")
    assert '<time datetime="2026-03-26">26 March 2026</time>' in PAGE


def test_body_is_the_page_without_its_shell() -> None:
    outline = read(BODY)
    assert outline.errors == []
    assert {"html", "head", "body", "style", "main"}.isdisjoint(outline.tags)
    assert BODY.startswith('<header class="notice-header">')
    assert BODY.strip() in PAGE


def test_manifest_text_is_escaped_in_both_formats() -> None:
    def hostile(d: dict[str, Any]) -> None:
        d["subprocessors"][0]["name"] = "Evil <script>alert(1)</script> | *Co*"

    manifest = edited(hostile)
    page = render.render_notice(manifest, "html")
    assert "<script>" not in page
    assert "Evil <script>alert(1)</script> | *Co*" in read(page).text
    text = render.render_notice(manifest, "md")
    assert r"Evil \<script\>alert(1)\</script\> \| \*Co\*" in text
    for table in _tables(text):
        assert {_cells(row) for row in table} == {_cells(table[0])}


def test_bare_manifest_states_only_what_it_declares() -> None:
    manifest = bare()
    text = render.render_notice(manifest, "md")
    headings = re.findall(r"^## (\d+)\. (.+)$", text, flags=re.MULTILINE)
    assert [title for _, title in headings] == [
        "What information we collect", "How we use your information", "The legal grounds we rely on",
        "Children and minors", "Your privacy rights", "Changes to this notice", "How to contact us",
        "How to review, update or delete your data"]
    assert [int(n) for n, _ in headings] == list(range(1, 9))
    for undeclared in ("service providers", "cookies", "social media", "sensitive", "Global Privacy Control",
                       "Backup", "automated processing", "at least once a year", "invoices",
                       "confirm that we received", "United States", "knowingly"):
        assert undeclared not in text, undeclared
    assert "at least 16 years old" in text
    assert "Bare Example Ltd" in text and "privacy@bare.example" in text
    assert read(render.render_notice(manifest, "html")).errors == []


def test_unknown_format_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown notice format"):
        render.render_notice(SEED, "pdf")  # type: ignore[arg-type]


def test_html_text_matches_markdown_prose() -> None:
    sentence = "Nor have we shared it for cross-context behavioural advertising"
    assert sentence in MD and sentence in PAGE_TEXT
    assert htmllib.escape("Information Commissioner's Office", quote=False) in BODY
