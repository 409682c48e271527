"""A manifest that declares no minimum age: the notice says nothing about minors, attestation is refused."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from privacyops.consent import minors
from privacyops.consent.errors import ConsentRuleError
from privacyops.examples import CORPUS
from privacyops.manifest import load
from privacyops.notice.render import render_markdown


def test_no_minors_declared_means_no_minors_section() -> None:
    manifest = load.load_manifest(CORPUS["plausible"])
    assert manifest.minors is None
    text = render_markdown(manifest)
    assert "Children and minors" not in text
    assert "years old" not in text


def test_age_attestation_needs_a_declared_minimum_age() -> None:
    manifest = load.load_manifest(CORPUS["plausible"])
    with pytest.raises(ConsentRuleError) as refused:
        minors.attest(
            None,  # type: ignore[arg-type]  # refused before the session is touched
            manifest,
            None,  # type: ignore[arg-type]
            attested=True,
            notice_version="1",
            channel="api",
            actor="test",
            now=datetime.now(UTC),
        )
    assert refused.value.field == "age_attestation"
    assert "minors.minimum_age" in refused.value.message
