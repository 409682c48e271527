"""The corpus of real notices expressed as manifests: each loads, and its lint findings are the true ones."""

from __future__ import annotations

import datetime as dt

import pytest

from privacyops.examples import CORPUS
from privacyops.manifest import load
from privacyops.manifest.lint import lint

LINT_TODAY = dt.date(2026, 4, 20)

# What the lint finds is true of the manifest: the published policies give no date this corpus could
# confirm, and the PostHog policy's sale/share statement is not expressed (see SOURCE.md of each).
EXPECTED = {
    "posthog": {("error", "notice-date-missing"), ("warning", "ccpa-disclosures-undeclared")},
    "plausible": {("warning", "notice-date-missing")},
    "fathom": {("warning", "notice-date-missing")},
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
    assert {r.kind for r in posthog.recipients} == {"public", "authority"}
    assert posthog.controller.address is None and posthog.controller.affiliates
    assert {r.trigger for r in posthog.retention.rules} >= {"account_active", "as_needed", "indefinite"}
    assert posthog.minors.minimum_age_by_country == {"US": 13}
    assert posthog.data_subjects["job_applicant"].rights_note
    assert any(s.service == "customer_relationship_management" for s in posthog.subprocessors)
    assert load.load_manifest(CORPUS["plausible"]).free_text
