from __future__ import annotations

from collections.abc import Callable

import pytest

from privacyops.examples import LANGFUSE_MANIFEST
from privacyops.manifest import load
from privacyops.manifest.schema import Manifest

SYSTEMS = """
systems:
  app_db:
    connector: sql
    url_env: APP_DATABASE_URL
    tables:
      users:
        identity: {email: email}
        fields:
          id: user.unique_id
          email: user.contact.email
          phone: user.contact.phone_number
          nickname:
          notes: user.content.self_image
        erase: delete
      chats:
        fields:
          id:
          body: {category: user.content.llm_payload, erase: redact}
        erase: delete
"""


def manifest_text(systems: str = SYSTEMS) -> str:
    """The example manifest with its systems section replaced by ``systems``."""
    head = LANGFUSE_MANIFEST.read_text(encoding="utf-8").split("\nsystems:\n")[0]
    # The example's retention sweeps name its own tables and columns, which these systems replace.
    head = "\n".join(line for line in head.splitlines() if not line.strip().startswith("sweep:"))
    return head + "\n" + systems.lstrip("\n")


@pytest.fixture
def make_manifest() -> Callable[..., Manifest]:
    def make(systems: str = SYSTEMS) -> Manifest:
        return load.load_text(manifest_text(systems), "privacy.yml")

    return make


@pytest.fixture
def manifest(make_manifest: Callable[..., Manifest]) -> Manifest:
    return make_manifest()
