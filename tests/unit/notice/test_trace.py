"""Every statement of a generated notice traces to a key its manifest declares (no claim from a default)."""

from __future__ import annotations

from typing import Any

import pytest

from privacyops.examples import ALL_MANIFESTS
from privacyops.manifest import load, schema
from privacyops.manifest.declared import declared, parse_path
from privacyops.notice import render, trace
from tests.unit.reports.manifests import bare, edited

MANIFESTS: dict[str, schema.Manifest] = {
    name: load.load_manifest(path) for name, path in ALL_MANIFESTS.items()}
MANIFESTS["bare"] = bare()


def traced(manifest: schema.Manifest) -> str:
    return render.render_markdown(manifest, traced=True)


def untraced_statements(manifest: schema.Manifest) -> list[str]:
    return [line for line in trace.statements(traced(manifest)) if not trace.paths(line)]


def undeclared_keys(manifest: schema.Manifest) -> list[tuple[str, str]]:
    return [(path, line) for line in trace.statements(traced(manifest)) for path in trace.paths(line)
            if not declared(manifest, parse_path(path))]


@pytest.mark.req("NV-4")
@pytest.mark.parametrize("name", sorted(MANIFESTS))
def test_every_statement_carries_the_keys_it_rests_on(name: str) -> None:
    manifest = MANIFESTS[name]
    statements = trace.statements(traced(manifest))
    assert len(statements) > 20
    assert untraced_statements(manifest) == []


@pytest.mark.req("NV-4")
@pytest.mark.parametrize("name", sorted(MANIFESTS))
def test_every_traced_key_is_declared_in_the_manifest(name: str) -> None:
    assert undeclared_keys(MANIFESTS[name]) == []


@pytest.mark.parametrize("name", sorted(MANIFESTS))
def test_the_traced_notice_is_the_published_notice_with_markers(name: str) -> None:
    manifest = MANIFESTS[name]
    assert trace.strip(traced(manifest)) == render.render_markdown(manifest)
    assert trace.OPEN not in render.render_notice(manifest, "html")


def test_the_checks_catch_an_unmarked_line_and_a_defaulted_key() -> None:
    text = "## 1. Title\n\n| A | B |\n|---|---|\n| x⟦cookies⟧ | y |\n\nWe promise a thing.\n"
    assert [line for line in trace.statements(text) if not trace.paths(line)] == ["We promise a thing."]
    manifest = bare()
    assert not declared(manifest, parse_path("signals/gpc"))  # a default, not a declaration
    assert declared(manifest, parse_path("minors/minimum_age"))


def _drop(*keys: str) -> Any:
    def edit(d: dict[str, Any]) -> None:
        for key in keys:
            *parents, last = key.split("/")
            node = d
            for name in parents:
                node = node[name]
            node.pop(last)
    return edit


@pytest.mark.req("NV-4")
@pytest.mark.parametrize(("keys", "gone"), [
    (("signals",), ["Global Privacy Control", "Do-Not-Track"]),
    (("retention/backups",), ["Backup copies"]),
    (("automated_decisions",), ["We take no decisions about you"]),
    (("cookies",), ["## 5. Cookies", "[section 5](#cookies)"]),
    (("regions/us-ca", "regions/us-co", "regions/us-va"),
     ["United States", "cross-context", "at least once a year", "category K"]),
    (("minors/knowingly_collects", "minors/markets_to_minors"), ["knowingly", "direct marketing at"]),
    (("notice/change_notification",), ["tell you directly", "prominently"]),
])
def test_a_statement_goes_when_its_key_goes(keys: tuple[str, ...], gone: list[str]) -> None:
    before = render.render_markdown(MANIFESTS["langfuse"])
    after_manifest = edited(_drop(*keys))
    after = render.render_markdown(after_manifest)
    for words in gone:
        assert words in before, words
        assert words not in after, words
    assert untraced_statements(after_manifest) == [] and undeclared_keys(after_manifest) == []
