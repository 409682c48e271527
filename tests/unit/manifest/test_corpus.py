"""The corpus of real notices expressed as manifests: each loads, and its lint findings are the true ones."""

from __future__ import annotations

import datetime as dt

import pytest

from privacyops.examples import CORPUS
from privacyops.manifest import load
from privacyops.manifest.lint import lint

LINT_TODAY = dt.date(2026, 12, 6)

# What the lint finds is true of the source: PostHog's policy carries no date (Plausible's only a month,
# which the manifest states as such); neither says whether decisions are taken solely by automated means
# (see SOURCE.md of each).
EXPECTED = {
    "posthog": {("error", "automated-decisions-undeclared"), ("warning", "notice-date-missing")},
    "plausible": {("error", "automated-decisions-undeclared")},
    # Supabase's notice is dated 4 March 2025, more than 12 months before LINT_TODAY.
    "supabase": {("error", "automated-decisions-undeclared"), ("warning", "notice-stale")},
}


@pytest.mark.req("NV-4")
@pytest.mark.parametrize("name", sorted(CORPUS))
def test_corpus_manifest_lints_with_only_its_known_true_findings(name: str) -> None:
    findings = lint(load.load_manifest(CORPUS[name]), today=LINT_TODAY)
    assert {(f.level, f.code) for f in findings} == EXPECTED[name]


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_each_corpus_folder_names_its_source(name: str) -> None:
    note = (CORPUS[name].parent / "SOURCE.md").read_text(encoding="utf-8")
    # The source's address, and an honest status: what was checked against it and what was not.
    assert "https://" in note and "Status:" in note


def test_the_corpus_uses_the_widened_format() -> None:
    posthog = load.load_manifest(CORPUS["posthog"])
    kinds = {"public", "other_users", "authority", "independent_controller"}
    assert {r.kind for r in posthog.recipients} == kinds
    assert posthog.controller.affiliates and posthog.purposes["recruiting"].basis.gdpr_also
    assert {r.trigger for r in posthog.retention.rules} >= {"account_active", "as_needed", "indefinite"}
    assert posthog.data_subjects["job_applicant"].rights_note
    assert any(s.service == "customer_relationship_management" for s in posthog.subprocessors)
    # A provider whose country the policy does not name keeps it undeclared, with the safeguard it names.
    assert any(s.country is None and s.transfer == "scc" for s in posthog.subprocessors)
    plausible = load.load_manifest(CORPUS["plausible"])
    assert plausible.free_text and plausible.controller.address is None
    assert plausible.regions["eea"].conditions
