"""The diff of two manifests in plain words, and which changes are material (NV-2)."""

from __future__ import annotations

import pytest

from privacyops.examples import LANGFUSE_MANIFEST
from privacyops.lifecycle import changes
from privacyops.manifest import load
from privacyops.manifest.schema import Manifest

BASE = LANGFUSE_MANIFEST.read_text(encoding="utf-8")
NEW_SUBPROCESSOR = (
    "subprocessors:\n  - {name: Mailgun, legal_entity: Mailgun Technologies Inc.,"
    " service: communicate_and_chat, purposes: [marketing_communications],"
    " categories: [user.contact.email], country: BR, transfer: scc}\n"
)


def manifest(*edits: tuple[str, str]) -> Manifest:
    text = BASE
    for old, new in edits:
        assert old in text, old
        text = text.replace(old, new, 1)
    return load.load_text(text, "edited.yml")


@pytest.fixture(scope="module")
def base() -> Manifest:
    return manifest()


def kinds(found: list[changes.Change]) -> dict[str, bool]:
    return {c.kind: c.material for c in found}


@pytest.mark.req("NV-2")
def test_new_subprocessor_in_a_new_country_is_material(base: Manifest) -> None:
    found = changes.diff(base, manifest(("subprocessors:\n", NEW_SUBPROCESSOR)))
    assert kinds(found) == {"new_subprocessor": True, "new_country": True}
    assert [c.text for c in found] == ["New subprocessor: Mailgun in BR.", "Personal data now goes to BR."]
    assert found[0].purposes == ("marketing_communications",)


@pytest.mark.req("NV-2")
def test_a_contact_address_or_wording_is_not_material(base: Manifest) -> None:
    found = changes.diff(
        base,
        manifest(
            ("privacy_email: legal@langfuse.com", "privacy_email: privacy@langfuse.com"),
            ("    name: Send marketing and promotional messages", "    name: Send marketing messages"),
        ),
    )
    assert kinds(found) == {"contact": False, "wording": False}
    assert "The contact privacy email changed." in [c.text for c in found]


def test_longer_retention_legal_basis_to_consent_and_more_data_are_material(base: Manifest) -> None:
    found = changes.diff(
        base,
        manifest(
            ("      period: P1M\n", "      period: P6M\n"),
            (
                "    categories: [user.name, user.contact.email, user.contact.organization, user.job_title,\n"
                "                 user.privacy_preferences]",
                "    categories: [user.name, user.contact.email, user.contact.organization, user.job_title,\n"
                "                 user.privacy_preferences, user.device.cookie_id]",
            ),
        ),
    )
    assert kinds(found) == {"longer_retention": True, "purpose_uses_more_data": True}
    assert any(
        "P1M after account terminated before, P6M after account terminated now" in c.text for c in found
    )
    shorter = changes.diff(manifest(("      period: P1M\n", "      period: P6M\n")), base)
    assert kinds(shorter) == {"shorter_retention": False}


def test_a_basis_changing_to_consent_is_material_and_the_rules_are_the_manifests(base: Manifest) -> None:
    purpose = next(k for k, p in base.purposes.items() if p.basis.gdpr == "legitimate_interests")
    to_consent = _with_basis(BASE, purpose, "consent")
    found = changes.diff(base, load.load_text(to_consent, "x.yml"))
    assert ("basis_to_consent", True) in [(c.kind, c.material) for c in found]
    assert any(c.purposes == (purpose,) for c in found)
    relaxed = to_consent.replace(
        "  change_notification:", "  material_changes: [new_purpose]\n  change_notification:", 1
    )
    found = changes.diff(base, load.load_text(relaxed, "x.yml"))
    assert all(not c.material for c in found)


def test_unrelated_manifests_are_refused(base: Manifest) -> None:
    other = load.load_text(BASE.replace("legal_name: Langfuse GmbH", "legal_name: Other Corp", 1), "o.yml")
    with pytest.raises(changes.UnrelatedManifests, match="different controllers"):
        changes.diff(base, other)


def test_identical_manifests_have_no_changes(base: Manifest) -> None:
    assert changes.diff(base, manifest()) == []


def _with_basis(text: str, purpose: str, basis: str) -> str:
    start = text.index(f"\n  {purpose}:\n")
    line_start = text.index("    basis:", start)
    line_end = text.index("\n", line_start)
    line = text[line_start:line_end]
    new_line = line.replace("gdpr: legitimate_interests", f"gdpr: {basis}")
    assert new_line != line
    return text[:line_start] + new_line + text[line_end:]
