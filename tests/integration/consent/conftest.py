"""Fixtures of the consent tests: an app on the example manifest, tokens, and a way to read the ledger."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from privacyops.examples import LANGFUSE_MANIFEST
from privacyops.settings import Settings
from privacyops.store import db

ADMIN_TOKEN = "po_test_admin_token_for_consent_tests"
SECRET = "consent-tests-secret-key-0123456789"
ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
Cli = Callable[[list[str]], Result]


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


@pytest.fixture
def cli(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Cli:
    """Run a ``privacyops`` command in process on the test's store, home, manifest and key."""
    from privacyops.cli import main as cli_main

    for name, value in (
        ("DATABASE_URL", settings.database_url),
        ("HOME", str(settings.home)),
        ("MANIFEST", str(settings.manifest)),
        ("SECRET_KEY", SECRET),
    ):
        monkeypatch.setenv(f"PRIVACYOPS_{name}", value)
    cli_main._register_all()  # as the console script does when it starts (once)
    runner = CliRunner()
    return lambda args: runner.invoke(cli_main.app, args)
