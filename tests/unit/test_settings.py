from __future__ import annotations

import pytest

from privacyops import settings


def test_env_vars_feed_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PRIVACYOPS_PORT", "8123")
    assert settings.load_settings().port == 8123


def test_explicit_override_beats_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PRIVACYOPS_PORT", "8123")
    assert settings.load_settings(port=9000, host=None).port == 9000
    assert settings.env_var("database_url") == "PRIVACYOPS_DATABASE_URL"
