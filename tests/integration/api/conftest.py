from __future__ import annotations

from pathlib import Path

import pytest

from privacyops.examples import LANGFUSE_MANIFEST
from privacyops.settings import Settings
from privacyops.store import db

ADMIN_TOKEN = "po_test_admin_token_for_integration_tests"


@pytest.fixture
def manifest_path() -> Path:
    """The example manifest shipped with the package (the Langfuse notice)."""
    return LANGFUSE_MANIFEST


@pytest.fixture
def settings(db_url: str, tmp_path: Path, manifest_path: Path) -> Settings:
    db.upgrade(db_url)
    return Settings(
        database_url=db_url,
        home=tmp_path / "home",
        manifest=manifest_path,
        admin_token=ADMIN_TOKEN,
        worker_in_process=False,
    )


@pytest.fixture
def admin_headers() -> dict[str, str]:
    return {"Authorization": f"Bearer {ADMIN_TOKEN}"}
