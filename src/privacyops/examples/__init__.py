"""Example manifests shipped with the package (``examples/`` at the repository root links here).

Besides Langfuse (the seed), the corpus holds manifests expressed from other companies' public privacy
policies; each folder's SOURCE.md names the policy and the date it was read.
"""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).parent
LANGFUSE_MANIFEST = HERE / "langfuse" / "privacy.yml"
CORPUS: dict[str, Path] = {
    name: HERE / name / "privacy.yml" for name in ("posthog", "plausible", "supabase")
}
ALL_MANIFESTS: dict[str, Path] = {"langfuse": LANGFUSE_MANIFEST, **CORPUS}
