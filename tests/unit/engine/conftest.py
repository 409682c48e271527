from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from privacyops.manifest.load import load_manifest
from privacyops.manifest.schema import Manifest, System

EXAMPLE = Path(__file__).parents[3] / "src/privacyops/examples/langfuse/privacy.yml"


@pytest.fixture(scope="session")
def example() -> Manifest:
    return load_manifest(EXAMPLE)


@pytest.fixture
def manifest_with(example: Manifest) -> Callable[[dict[str, Any]], Manifest]:
    """Return the example manifest with its systems replaced by the given tables (one system `app`)."""

    def make(tables: dict[str, Any], **systems: dict[str, Any]) -> Manifest:
        declared = {"app": System.model_validate({"connector": "memory", "tables": tables})}
        declared.update({name: System.model_validate({"connector": "memory", "tables": t})
                         for name, t in systems.items()})
        return example.model_copy(update={"systems": declared})

    return make
