from __future__ import annotations

from pathlib import Path

import pytest

from privacyops.examples import LANGFUSE_MANIFEST
from privacyops.settings import Settings
from privacyops.store import db

ADMIN_TOKEN = "po_test_admin_token_for_pii_tests"
POLICIES = """\
default: {operator: placeholder}
projects:
  proj-pseudo: {operator: pseudonym}
  proj-ips-only: {operator: redact, entities: [IP_ADDRESS]}
"""


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    db.upgrade(db_url)
    home = tmp_path / "home"
    home.mkdir()
    (home / "pii-policies.yml").write_text(POLICIES)
    return Settings(
        database_url=db_url,
        home=home,
        manifest=LANGFUSE_MANIFEST,
        admin_token=ADMIN_TOKEN,
        secret_key="test-secret-for-pseudonyms",
        worker_in_process=False,
    )
