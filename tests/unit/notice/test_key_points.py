"""The key points say what the sections and tables below them say, for every example manifest."""

from __future__ import annotations

import re

import pytest

from privacyops.examples import ALL_MANIFESTS
from privacyops.manifest import load

NOTICES = {name: load.load_manifest(path) for name, path in ALL_MANIFESTS.items()}


def render(name: str) -> str:
    from privacyops.notice import render as notice_render

    return notice_render.render_markdown(NOTICES[name])


def key_point(text: str, question: str) -> str:
    summary = text[text.index("## Key points"):text.index("## Contents")]
    return next((line for line in summary.splitlines() if question in line), "")


def section(text: str, anchor: str) -> str:
    start = text.find(f'<a id="{anchor}"></a>')
    if start < 0:
        return ""
    end = text.find('<a id="', start + 1)
    return text[start:end if end > 0 else None]


def ccpa_answer(text: str, letter: str) -> str:
    row = next((line for line in text.splitlines() if line.startswith(f"| {letter}. ")), "")
    return row.rstrip(" |").rsplit("| ", 1)[-1] if row else ""


@pytest.mark.req("NV-3")
@pytest.mark.parametrize("name", sorted(NOTICES))
def test_category_k_is_named_in_the_key_points_only_when_the_us_table_says_yes(name: str) -> None:
    text = render(name)
    says_k = "marks category K as collected" in key_point(text, "sensitive information")
    assert says_k == (ccpa_answer(text, "K") == "YES")


@pytest.mark.parametrize("name", sorted(NOTICES))
def test_the_number_of_providers_matches_the_sharing_tables(name: str) -> None:
    text = render(name)
    point = key_point(text, "Who receives it?")
    sharing = section(text, "sharing")
    listed = set()
    for line in sharing.split("### Other recipients")[0].splitlines():
        if line.startswith("| ") and not line.startswith("| Provider"):
            listed.add(re.split(r" \(|: | \|", line[2:], maxsplit=1)[0])
    found = re.search(r"(\d+) service providers", point)
    assert (int(found.group(1)) if found else 0) == len(listed)


@pytest.mark.parametrize("name", sorted(NOTICES))
def test_other_sources_match_the_sign_in_section(name: str) -> None:
    text = render(name)
    point = key_point(text, "from others?")
    social = section(text, "social-logins")
    providers = [line.split(" |")[0][2:] for line in social.splitlines()
                 if line.startswith("| ") and not line.startswith("| Provider")]
    for provider in providers:
        assert provider in point
    if not providers:
        assert "sign in" not in point


@pytest.mark.parametrize("name", sorted(NOTICES))
def test_the_regions_of_the_key_points_are_the_regions_of_the_rights_section(name: str) -> None:
    text = render(name)
    point = key_point(text, "What are your rights?")
    headings = re.findall(r"^### (.+?) \(", section(text, "your-rights"), flags=re.MULTILINE)
    assert headings and all(h in point for h in headings)
    assert all(region.name in headings for region in NOTICES[name].regions.values())


@pytest.mark.parametrize("name", sorted(NOTICES))
def test_every_section_link_points_at_a_section_that_is_printed(name: str) -> None:
    text = render(name)
    for number, anchor in re.findall(r"\[section (\d+)\]\(#([a-z0-9-]+)\)", text):
        assert f'<a id="{anchor}"></a>\n\n## {number}. ' in text, anchor
