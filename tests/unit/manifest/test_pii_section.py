"""A manifest may declare per-project masking policies in a ``pii`` section."""

from __future__ import annotations

from privacyops.manifest.load import load_text
from privacyops.pii.policy import policies_from_manifest

from .conftest import dump, minimal_data


def test_manifest_with_pii_section_loads_and_policies_are_read() -> None:
    data = minimal_data()
    data["pii"] = {
        "default": {"operator": "placeholder"},
        "projects": {"proj-1": {"operator": "pseudonym", "skip_keys": ["model"]}},
    }
    manifest = load_text(dump(data))
    assert manifest.pii is not None
    policies = policies_from_manifest(manifest)
    assert policies.for_project("proj-1").operator == "pseudonym"
    assert "model" in policies.for_project("proj-1").skip_keys
    assert policies.for_project("other").operator == "placeholder"


def test_manifest_without_pii_section_gives_defaults() -> None:
    manifest = load_text(dump(minimal_data()))
    assert manifest.pii is None
    assert policies_from_manifest(manifest).for_project("x") == policies_from_manifest(None).for_project("x")
