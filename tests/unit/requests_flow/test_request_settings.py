"""Request settings: PRIVACYOPS_* variables reach the workflow context; the host-token key is made once."""

from __future__ import annotations

import stat
from datetime import timedelta
from pathlib import Path

import pytest
from pydantic import ValidationError

from privacyops import settings as psettings
from privacyops.examples import LANGFUSE_MANIFEST
from privacyops.manifest.load import load_manifest
from privacyops.requests import context, mailer, points
from privacyops.requests.types import RequestType


def test_settings_know_every_request_type() -> None:
    assert set(psettings.REQUEST_TYPE_NAMES) == {t.value for t in RequestType}


def test_defaults(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("APPROVAL_REQUIRED", "DEFAULT_REGION", "STEP_UP_MINUTES", "HOST_TOKEN_KEY"):
        monkeypatch.delenv(f"PRIVACYOPS_{name}", raising=False)
    loaded = psettings.load_settings(home=tmp_path)
    assert loaded.approval_required == ("erasure", "account_deletion")
    assert loaded.default_region == "eu"
    assert loaded.step_up_minutes == 15
    assert loaded.smtp_starttls is False and loaded.smtp_username is None
    ctx = context.context_from(loaded, None)
    assert ctx.approval_types == {RequestType.ERASURE, RequestType.ACCOUNT_DELETION}
    assert ctx.default_region == "eu"
    assert ctx.step_up_window == timedelta(minutes=15)
    assert ctx.points is None  # no manifest, no systems to check data points against


def test_environment_reaches_the_context(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PRIVACYOPS_APPROVAL_REQUIRED", " Access, rectification ,")
    monkeypatch.setenv("PRIVACYOPS_DEFAULT_REGION", "US-CA")
    monkeypatch.setenv("PRIVACYOPS_STEP_UP_MINUTES", "5")
    monkeypatch.setenv("PRIVACYOPS_HOST_TOKEN_KEY", "host-key-from-the-environment-0123")
    loaded = psettings.load_settings(home=tmp_path)
    assert loaded.approval_required == ("access", "rectification")
    ctx = context.context_from(loaded, load_manifest(LANGFUSE_MANIFEST))
    assert ctx.approval_types == {RequestType.ACCESS, RequestType.RECTIFICATION}
    assert ctx.default_region == "us-ca"
    assert ctx.step_up_window == timedelta(minutes=5)
    assert ctx.host_token_key == b"host-key-from-the-environment-0123"
    assert isinstance(ctx.points, points.ManifestPointLookup)
    assert not (tmp_path / context.HOST_TOKEN_KEY_FILE).exists()


def test_an_empty_approval_list_approves_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PRIVACYOPS_APPROVAL_REQUIRED", "")
    ctx = context.context_from(psettings.load_settings(home=tmp_path), None)
    assert ctx.approval_types == frozenset()


@pytest.mark.parametrize(
    ("name", "value"), [("APPROVAL_REQUIRED", "erasure,deletion"), ("STEP_UP_MINUTES", "0")]
)
def test_bad_values_name_the_variable(monkeypatch: pytest.MonkeyPatch, name: str, value: str) -> None:
    monkeypatch.setenv(f"PRIVACYOPS_{name}", value)
    with pytest.raises(ValidationError) as caught:
        psettings.load_settings()
    assert name.lower() in str(caught.value)
    if name == "APPROVAL_REQUIRED":
        assert "deletion" in str(caught.value) and "account_deletion" in str(caught.value)


def test_host_token_key_is_generated_once_and_private(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PRIVACYOPS_HOST_TOKEN_KEY", raising=False)
    loaded = psettings.load_settings(home=tmp_path / "home")
    first = context.host_token_key(loaded)
    second = context.host_token_key(loaded)
    assert first == second and len(first) >= 32
    path = tmp_path / "home" / context.HOST_TOKEN_KEY_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert first != context.secret_key(loaded)  # a key of its own, shared only with the host application


def test_mailer_takes_login_and_starttls_from_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PRIVACYOPS_SMTP_USERNAME", "mailer")
    monkeypatch.setenv("PRIVACYOPS_SMTP_PASSWORD", "s3cret")
    monkeypatch.setenv("PRIVACYOPS_SMTP_STARTTLS", "true")
    built = mailer.mailer_from(psettings.load_settings(smtp_port=2525))
    assert (built.port, built.username, built.password, built.starttls) == (2525, "mailer", "s3cret", True)
    assert "s3cret" not in repr(built)
