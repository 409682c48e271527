from __future__ import annotations

from pathlib import Path

import pytest

from privacyops.pii.policy import MaskPolicy, PolicyError, PolicySet, load_policy_file, policies_from_manifest


def test_absent_section_gives_defaults() -> None:
    assert policies_from_manifest(None) == PolicySet()
    assert policies_from_manifest({"controller": {}}).for_project("p1") == MaskPolicy()


def test_projects_get_their_own_policy() -> None:
    policies = policies_from_manifest(
        {"pii": {"default": {"operator": "redact"}, "projects": {"p1": {"operator": "mask"}}}}
    )
    assert policies.for_project("p1").operator == "mask"
    assert policies.for_project("other").operator == "redact"
    assert policies.for_project(None).operator == "redact"


def test_errors_name_the_field() -> None:
    with pytest.raises(PolicyError, match=r"pii\.projects\.p1\.operator"):
        policies_from_manifest({"pii": {"projects": {"p1": {"operator": "shred"}}}})
    with pytest.raises(PolicyError, match=r"pii\.default\.colour"):
        policies_from_manifest({"pii": {"default": {"colour": "red"}}})


def test_attribute_style_manifests_are_read() -> None:
    class Manifest:
        pii = PolicySet(default=MaskPolicy(operator="drop"))

    assert policies_from_manifest(Manifest()).default.operator == "drop"


def test_policy_file(tmp_path: Path) -> None:
    path = tmp_path / "pii-policies.yml"
    path.write_text("projects:\n  p9: {operator: redact, entities: [EMAIL_ADDRESS]}\n")
    assert load_policy_file(path).for_project("p9").entities == ["EMAIL_ADDRESS"]
    path.write_text("projects: [1, 2\n")
    with pytest.raises(PolicyError, match="pii-policies.yml"):
        load_policy_file(path)


def test_an_entity_can_be_switched_off_per_project() -> None:
    from privacyops.pii.masking import PolicyMasker

    policies = policies_from_manifest(
        {"pii": {"projects": {"no-names": {"off": ["PERSON", "STREET_ADDRESS"]}}}}
    )
    text = "Hi, my name is Maria Lopez, mail maria@example.com"
    assert PolicyMasker(policies.for_project("other")).text(text) == (
        "Hi, my name is <PERSON>, mail <EMAIL_ADDRESS>"
    )
    assert PolicyMasker(policies.for_project("no-names")).text(text) == (
        "Hi, my name is Maria Lopez, mail <EMAIL_ADDRESS>"
    )


def test_an_unknown_entity_is_named_with_the_known_ones() -> None:
    with pytest.raises(PolicyError) as raised:
        policies_from_manifest({"pii": {"default": {"off": ["PERSONS"]}}})
    message = str(raised.value)
    assert "pii.default.off" in message and "PERSONS" in message and "PERSON," in message
