"""Fixtures of the consent tests: an app on the example manifest, tokens, and a way to read the ledger."""

from __future__ import annotations

from pathlib import Path

import pytest

from privacyops.examples import LANGFUSE_MANIFEST
from privacyops.settings import Settings
from privacyops.store import db

ADMIN_TOKEN = "po_test_admin_token_for_consent_tests"
SECRET = "consent-tests-secret-key-0123456789"
ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    db.upgrade(db_url)
    return Settings(
        database_url=db_url,
        home=tmp_path / "home",
        manifest=LANGFUSE_MANIFEST,
        admin_token=ADMIN_TOKEN,
        secret_key=SECRET,
        worker_in_process=False,
        queue_url="memory://",
    )
