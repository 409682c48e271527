"""Every statement of an access package's cover letter rests on a declared key or on the package itself."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from typing import Any

import pytest

from privacyops.engine.run import AccessResult
from privacyops.examples import ALL_MANIFESTS
from privacyops.manifest import load, schema
from privacyops.manifest.declared import declared, parse_path
from privacyops.notice import trace
from privacyops.package import build, cover, statements
from privacyops.reports import inventory
from tests.unit.reports.manifests import bare, edited

NOW = dt.datetime(2026, 4, 1, 9, 0, tzinfo=dt.UTC)
MANIFESTS: dict[str, schema.Manifest] = {
    name: load.load_manifest(path) for name, path in ALL_MANIFESTS.items()}
MANIFESTS["bare"] = bare()


def letter_of(manifest: schema.Manifest, *, found: bool = True) -> cover.CoverLetter:
    """Return the letter of a package holding every collected category (or none when not `found`)."""
    skipped = build.not_searched(manifest, AccessResult())
    facts = cover.LetterFacts(
        categories=frozenset(inventory.collected_keys(manifest) if found else ()),
        tables={}, files=["data.json"], period=["Everything we hold."], withheld=["Nothing was withheld."],
        not_searched=[statements.line(build._skipped_line(item), item["paths"]) for item in skipped],
    )
    return cover.cover_letter(manifest, facts, request_id="req_1", generated_at=NOW)


def traced(manifest: schema.Manifest, **options: bool) -> str:
    return cover.render_markdown(letter_of(manifest, **options), traced=True)


def untraced(text: str) -> list[str]:
    return [line for line in trace.statements(text) if not trace.paths(line)]


def undeclared(manifest: schema.Manifest, text: str) -> list[tuple[str, str]]:
    return [(path, line) for line in trace.statements(text) for path in trace.paths(line)
            if path != statements.PACKAGE and not declared(manifest, parse_path(path))]


@pytest.mark.req("AC-1")
@pytest.mark.parametrize("found", [True, False])
@pytest.mark.parametrize("name", sorted(MANIFESTS))
def test_every_statement_of_the_letter_rests_on_a_declared_key(name: str, found: bool) -> None:
    manifest = MANIFESTS[name]
    text = traced(manifest, found=found)
    assert len(trace.statements(text)) > 10
    assert untraced(text) == []
    assert undeclared(manifest, text) == []


@pytest.mark.parametrize("name", sorted(MANIFESTS))
def test_the_traced_letter_is_the_published_letter_with_markers(name: str) -> None:
    letter = letter_of(MANIFESTS[name])
    assert trace.strip(cover.render_markdown(letter, traced=True)) == cover.render_markdown(letter)
    assert trace.OPEN not in cover.render_html(letter)


@pytest.mark.req("AC-1")
def test_a_bare_manifest_gets_no_claim_it_did_not_make() -> None:
    text = trace.strip(traced(MANIFESTS["bare"]))
    for claim in ("European Economic Area, this safeguard", "Nobody outside", "No one outside", "Backups",
                  "We take no decision", "only as long as", "From you", "supervisory authority"):
        assert claim not in text, claim
    information = letter_of(MANIFESTS["bare"]).information()
    assert all(information[key] for key in cover.ART15_SECTIONS)
    for key in ("recipients", "transfers", "retention", "source", "automated_decisions", "complaint"):
        assert information[key] == [f"Our records of processing do not state {_what(key)}; you may ask us at "
                                    "privacy@bare.example."], key


def _what(key: str) -> str:
    return {"recipients": "who receives this data", "transfers": "who receives this data or where",
            "retention": "how long this data is kept", "source": "where this data comes from",
            "automated_decisions": "whether any decision about you is taken by automated means",
            "complaint": "where you may complain"}[key]


@pytest.mark.req("AC-1")
def test_transfers_are_stated_per_recipient_from_its_country_and_mechanism() -> None:
    lines = letter_of(MANIFESTS["langfuse"]).section("transfers").items
    assert "HubSpot: in US; safeguard: EU-US Data Privacy Framework." in lines
    assert "Loops: in US; safeguard: standard contractual clauses." in lines
    assert "Stripe: in IE, inside the EEA, so the data is not transferred." in lines
    assert "Plain.com: in GB; safeguard: adequacy decision." in lines


def _set(path: str, value: Any) -> Any:
    def edit(data: dict[str, Any]) -> None:
        *parents, last = path.split("/")
        node = data
        for name in parents:
            node = node[int(name)] if isinstance(node, list) else node[name]
        if value is None:
            node.pop(last)
        else:
            node[last] = value
    return edit


@pytest.mark.req("AC-1")
def test_a_us_controller_judges_transfers_from_its_own_country() -> None:
    manifest = edited(_set("controller/country", "US"), _set("controller/address/country", "US"),
                      _set("subprocessors/0/transfer", None))
    lines = letter_of(manifest).section("transfers")
    assert lines.intro is not None and "outside US:" in lines.intro.text
    assert "HubSpot: in US, inside US, so the data is not transferred." in lines.items
    assert "PostHog: in DE; no safeguard for the transfer is declared." in lines.items
    assert not any("European Economic Area" in line for line in lines.items)


@pytest.mark.req("AC-1", "AC-6")
@pytest.mark.parametrize(("edit", "gone"), [
    (_set("retention/backups", None), ["Backups"]),
    (_set("retention/backups", {"overwritten_after_days": 35}), ["kept apart", "isolated"]),
    (_set("automated_decisions", None), ["We take no decision"]),
])
def test_a_statement_goes_when_its_key_goes(edit: Any, gone: list[str]) -> None:
    before = trace.strip(traced(MANIFESTS["langfuse"]))
    manifest = edited(edit)
    text = traced(manifest)
    for words in gone:
        assert words in before, words
        assert words not in trace.strip(text), words
    assert untraced(text) == [] and undeclared(manifest, text) == []


@pytest.mark.req("AC-6")
def test_backups_declared_only_by_their_age_are_named_with_it_and_nothing_more() -> None:
    manifest = edited(_set("retention/backups", {"overwritten_after_days": 35}))
    (item,) = build.not_searched(manifest, AccessResult())
    assert item["reason"] == ("Backups are kept for restoring after a failure and are not searched record by "
                              "record and are overwritten after 35 days.")
    assert "Backups are overwritten after 35 days." in letter_of(manifest).section("retention").items


@pytest.mark.req("AC-1", "AC-3")
def test_the_package_of_a_bare_manifest_states_only_declared_facts() -> None:
    blob = build.build_access_package(MANIFESTS["bare"], AccessResult(), subject={"email": "a@b.example"},
                                      request_id="req_2", generated_at=NOW)
    with zipfile.ZipFile(io.BytesIO(blob)) as archive:
        data = json.loads(archive.read("data.json"))
        letter = archive.read("cover-letter.md").decode()
    assert data["not_searched"] == []
    assert data["information"]["automated_decisions"][0].startswith("Our records of processing do not state")
    assert "European Economic Area, this safeguard" not in letter and "Backups" not in letter
