"""Facts a company publishes only in part: a month without a day, a representative without a name."""

from __future__ import annotations

from privacyops.examples import CORPUS
from privacyops.manifest import load
from privacyops.notice.render import render_markdown, render_notice


def test_a_month_only_date_is_printed_without_a_day() -> None:
    manifest = load.load_manifest(CORPUS["plausible"])
    text = render_markdown(manifest)
    assert "**Last updated:** May 2026" in text
    assert "1 May 2026" not in text
    page = render_notice(manifest, "html")
    assert '<time datetime="2026-05">May 2026</time>' in page


def test_an_unnamed_representative_is_reached_without_inventing_a_name() -> None:
    text = render_markdown(load.load_manifest(CORPUS["posthog"]))
    section = text[text.index("### Our representative in the European Economic Area"):]
    assert section.split("###")[1].strip().endswith("- Email: <privacy@posthog.com>")
    assert "contact our representative there about how we process your information" in section
    assert "****" not in text and "None" not in section
