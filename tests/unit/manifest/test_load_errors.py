"""Bad manifests give exactly one located finding that names the key and says how to fix it."""

from __future__ import annotations

import datetime as dt

import pytest

from privacyops.manifest.errors import ManifestError
from privacyops.manifest.load import load_manifest, load_text

from .conftest import MINIMAL, line_of

# (case, text to replace, replacement, expected code, text on the expected line, words the fix contains)
CASES = [
    ("broken yaml", "    rights: [access, erasure, withdraw_consent]\n", "    rights: [access, erasure\n",
     "yaml-syntax", None, "indentation"),
    ("unknown data category", "  user.name: {name: Names, ccpa: A}", "  user.nmae: {name: Names, ccpa: A}",
     "unknown-category", "user.nmae", "`user.name`"),
    ("undeclared category in a purpose", "categories: [user.contact.email, user.name]",
     "categories: [user.contact.emial, user.name]", "undeclared-category", "user.contact.emial",
     "`user.contact.email`"),
    ("reference to an undeclared table", "references: {user_id: users.id}", "references: {user_id: user.id}",
     "undeclared-reference", "user_id: user.id", "`users`"),
    ("reference to an undeclared field", "references: {user_id: users.id}",
     "references: {user_id: users.uid}", "undeclared-reference", "users.uid", "`id`"),
    ("duplicate key", "  email: privacy@sample-gmbh.de\nnotice:",
     "  email: privacy@sample-gmbh.de\n  email: legal@example.com\nnotice:", "duplicate-key",
     "legal@example.com", "remove or merge"),
    ("wrong type", "minors: {minimum_age: 16,", "minors: {minimum_age: sixteen,", "wrong-type",
     "minimum_age", "whole number"),
    ("wrong type of a section", "contacts:\n  privacy_email: privacy@sample-gmbh.de\n",
     "contacts: [privacy@sample-gmbh.de]\n", "wrong-type", "contacts:", "mapping"),
    ("unknown key typo", "  legal_name: Example GmbH", "  legal_nam: Example GmbH", "unknown-key",
     "legal_nam", "`legal_name`"),
    ("missing key", "    law: PIPEDA\n", "", "missing-key", "  ca:", "add `law:`"),
    ("value not allowed", "basis: {gdpr: contract, pipeda: implied_consent}",
     "basis: {gdpr: contrat, pipeda: implied_consent}", "bad-value", "gdpr: contrat", "`contract`"),
    ("unknown data use", "data_use: essential.service\n", "data_use: essential.servise\n",
     "unknown-data-use", "essential.servise", "`essential.service`"),
    ("identity on an undeclared field", "identity: {email: email, user_id: id}",
     "identity: {email: mail, user_id: id}", "undeclared-field", "email: mail", "`email`"),
    ("retention names an undeclared table", "data: [app_db.*]", "data: [app_db.user]", "undeclared-data",
     "app_db.user", "`users`"),
    ("secret inside a URL", "url_env: APP_DATABASE_URL", "url: postgresql://app:hunter2@db/app",
     "invalid", "postgresql://", "see docs"),
    ("bad ISO duration", "period: P1M}", "period: one month}", "invalid", "one month", "see docs"),
    ("automated decision with legal effect and no human review", "automated_decisions: []",
     "automated_decisions:\n  - {name: credit, description: scoring, legal_effect: true}", "invalid",
     "legal_effect: true", "see docs"),
    ("union value not allowed", "  user.name: {name: Names, ccpa: A}",
     "  user.name: {name: Names, ccpa: A, sensitive: perhaps}", "bad-value", "sensitive: perhaps", "maybe"),
    ("list item not allowed", "rights: [access, erasure, withdraw_consent]",
     "rights: [access, erase, withdraw_consent]", "bad-value", "rights: [access, erase", "`erasure`"),
    ("mapping expected", "    deadline: {days: 30}", "    deadline: 30 days", "wrong-type", "30 days",
     "business_days"),
    ("composite reference arity", "references: {user_id: users.id}",
     "references: [{fields: [user_id, id], to: [users.id]}]", "invalid", "fields: [user_id, id]", "see docs"),
    ("representative nobody can reach", "  email: privacy@sample-gmbh.de\nnotice:",
     "  email: privacy@sample-gmbh.de\n  representative_eea: {name: Rep GmbH}\nnotice:", "invalid",
     "representative_eea", "see docs"),
    ("month that is no month", "  last_updated: 2026-06-01", "  last_updated: 2026-13", "invalid",
     "2026-13", "see docs"),
    ("custom category without parent", "  user.name: {name: Names, ccpa: A}",
     "  user.name: {name: Names, ccpa: A}\n  user.content.prompts: {name: Prompts, custom: true}",
     "invalid", "user.content.prompts", "see docs"),
]


@pytest.mark.parametrize(("case", "old", "new", "code", "line_text", "fix_words"), [
    # RR-4: a decision with legal effect needs a human-review route, or the manifest does not load.
    pytest.param(*c, id=c[0], marks=[pytest.mark.req("RR-4")] if c[0].startswith("automated") else [])
    for c in CASES
])
def test_one_located_finding_with_a_fix(write, case, old, new, code, line_text, fix_words):
    assert old in MINIMAL, case
    text = MINIMAL.replace(old, new, 1)
    path = write(text)
    with pytest.raises(ManifestError) as raised:
        load_manifest(path)
    findings = raised.value.findings
    assert len(findings) == 1, [str(f) for f in findings]
    finding = findings[0]
    assert finding.level == "error"
    assert finding.code == code
    assert finding.file == str(path)
    if line_text is not None:
        assert finding.line == line_of(text, line_text), str(finding)
    else:
        assert finding.line > 0
    assert finding.column > 0
    assert fix_words in finding.fix, str(finding)
    assert str(path) in str(raised.value) and f":{finding.line}:" in str(raised.value)


def test_minimal_manifest_loads_and_is_frozen():
    manifest = load_text(MINIMAL, "m.yml")
    assert manifest.controller.legal_name == "Example GmbH"
    assert manifest.systems["app_db"].tables["posts"].references[0].to == ("users.id",)
    with pytest.raises(Exception, match="frozen"):
        manifest.controller.legal_name = "Other"  # type: ignore[misc]


def test_a_date_stated_to_the_month_stays_a_month():
    manifest = load_text(MINIMAL.replace("  last_updated: 2026-06-01", "  last_updated: 2026-05"), "m.yml")
    updated = manifest.notice.last_updated
    assert updated == dt.date(2026, 5, 1) and str(updated) == "2026-05"
    assert manifest.model_dump(mode="json")["notice"]["last_updated"] == "2026-05"
    again = load_text(MINIMAL.replace("  last_updated: 2026-06-01", "  last_updated: '2026-05'"), "m.yml")
    assert again.notice.last_updated == updated


def test_duplicate_key_names_the_first_line(write):
    text = MINIMAL.replace("  email: privacy@sample-gmbh.de\nnotice:",
                           "  email: privacy@sample-gmbh.de\n  email: legal@example.com\nnotice:")
    with pytest.raises(ManifestError) as raised:
        load_manifest(write(text))
    first = line_of(text, "email: privacy@sample-gmbh.de")
    assert f"first on line {first}" in raised.value.findings[0].message


@pytest.mark.parametrize(("text", "code"), [
    ("", "empty"),
    ("- just\n- a list\n", "wrong-type"),
    ("\t: bad", "yaml-syntax"),
    ("a: !!python/object:os.system x\n", "yaml-tag"),
    ("controller: !custom 5\n", "yaml-tag"),
    ("notice: {last_updated: 2026-13-45}\n", "bad-scalar"),
    ("a: !!bool maybe\n", "bad-scalar"),
    ("? [a, b]\n: 1\n", "key-type"),
    ("a: *nowhere\n", "yaml-syntax"),
])
def test_not_a_manifest(write, text, code):
    with pytest.raises(ManifestError) as raised:
        load_manifest(write(text))
    assert [f.code for f in raised.value.findings] == [code]


def test_missing_file_is_a_finding_not_a_traceback(tmp_path):
    with pytest.raises(ManifestError) as raised:
        load_manifest(tmp_path / "absent.yml")
    assert raised.value.findings[0].code == "unreadable"
    assert "absent.yml" in raised.value.findings[0].file


def test_yes_no_keys_stay_text():
    text = MINIMAL.replace("notice:\n", "notice:\n  ccpa_table: {A: YES, B: NO}\n")
    manifest = load_text(text)
    assert manifest.notice.ccpa_table == {"A": True, "B": False}
