"""Prose filters of the notice templates."""

from __future__ import annotations

import pytest

from privacyops.examples import CORPUS
from privacyops.manifest import load
from privacyops.notice import filters, labels
from privacyops.notice.render import render_markdown


@pytest.mark.parametrize(
    ("label", "inside"),
    [
        ("Email address", "email address"),
        ("IP address", "IP address"),
        ("GitHub usernames", "GitHub usernames"),
        ("iOS device ids", "iOS device ids"),
    ],
)
def test_lower_first_keeps_acronyms_and_inner_capitals(label: str, inside: str) -> None:
    assert filters.lower_first(label) == inside


def test_key_points_name_a_single_region_without_comparing_it() -> None:
    singles = [name for name, path in CORPUS.items() if len(load.load_manifest(path).regions) == 1]
    assert singles, "the corpus has a manifest with one region"
    for name in singles:
        text = render_markdown(load.load_manifest(CORPUS[name]))
        assert "each have their own" not in text, name
        assert "Those the law of" in text, name


@pytest.mark.parametrize(
    ("key", "shown"),
    [
        ("ai_services", "AI services"),
        ("sms_campaigns", "SMS campaigns"),
        ("data_warehouse", "Data warehouse"),
    ],
)
def test_an_open_key_reads_with_its_acronyms(key: str, shown: str) -> None:
    assert labels.label({}, key) == shown
