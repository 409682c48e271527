"""The app over the example manifest, and `privacyops` commands run against the same store and home."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from privacyops.cli import main as cli_main
from privacyops.examples import LANGFUSE_MANIFEST
from privacyops.settings import Settings
from privacyops.store import db

ADMIN_TOKEN = "po_test_admin_token_for_lifecycle_tests"
BASE = LANGFUSE_MANIFEST.read_text(encoding="utf-8")
NEW_SUBPROCESSOR = (
    "subprocessors:\n  - {name: Mailgun, legal_entity: Mailgun Technologies Inc.,"
    " service: communicate_and_chat, purposes: [marketing_communications],"
    " categories: [user.contact.email], country: BR, transfer: scc}\n"
)
Cli = Callable[..., Result]


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    db.upgrade(db_url)
    return Settings(
        database_url=db_url,
        home=tmp_path / "home",
        manifest=LANGFUSE_MANIFEST,
        admin_token=ADMIN_TOKEN,
        worker_in_process=False,
        public_url="http://privacy.test",
    )


@pytest.fixture
def admin_headers() -> dict[str, str]:
    return {"Authorization": f"Bearer {ADMIN_TOKEN}"}


@pytest.fixture
def cli(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Cli:
    """Run a `privacyops` command on the test's store and home; returns the result."""
    monkeypatch.setenv("PRIVACYOPS_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("PRIVACYOPS_HOME", str(settings.home))
    monkeypatch.setenv("PRIVACYOPS_PUBLIC_URL", settings.public_url)
    runner = CliRunner()
    cli_main._register_all()  # as the console script does when it starts (once)

    def run(*args: str) -> Result:
        return runner.invoke(cli_main.app, list(args))

    return run


@pytest.fixture
def write_manifest(tmp_path: Path) -> Callable[..., Path]:
    """Write the example manifest with a notice version and edits; returns its path."""

    def write(version: str, *edits: tuple[str, str]) -> Path:
        text = BASE.replace('  version: "2026-03-26"', f'  version: "{version}"', 1)
        for old, new in edits:
            assert old in text, old
            text = text.replace(old, new, 1)
        path = tmp_path / f"privacy-{version}.yml"
        path.write_text(text, encoding="utf-8")
        return path

    return write


def today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()
