"""Example manifests shipped with the package (``examples/`` at the repository root links here)."""

from __future__ import annotations

from pathlib import Path

LANGFUSE_MANIFEST = Path(__file__).parent / "langfuse" / "privacy.yml"
