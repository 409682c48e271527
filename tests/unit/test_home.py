"""The home folder: private modes whatever the umask, and the settings file below env and flags."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from privacyops import home
from privacyops.settings import Settings, load_settings


@pytest.fixture
def open_umask() -> Iterator[None]:
    previous = os.umask(0)  # the most permissive: modes must come from the code, not the umask
    try:
        yield
    finally:
        os.umask(previous)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.usefixtures("open_umask")
def test_folders_and_files_are_private_whatever_the_umask(tmp_path: Path) -> None:
    secret = home.write_private(tmp_path / "a" / "b" / "key", b"secret")
    store = home.touch_private(tmp_path / "c" / "store.db")
    assert [mode(p) for p in (tmp_path / "a", tmp_path / "a" / "b", tmp_path / "c")] == [0o700] * 3
    assert (mode(secret), mode(store)) == (0o600, 0o600)
    secret.chmod(0o644)
    home.write_private(secret, b"again")
    assert mode(secret) == 0o600 and secret.read_bytes() == b"again"
    (tmp_path / "shared").mkdir(mode=0o755)
    assert mode(home.secure_home(tmp_path / "shared")) == 0o700


@pytest.fixture
def in_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    for name in [n for n in os.environ if n.startswith("PRIVACYOPS_")] + ["APP_DATABASE_URL"]:
        monkeypatch.delenv(name, raising=False)
    return tmp_path


def test_settings_file_ranks_below_environment_and_flags(
    in_folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    values = {"PRIVACYOPS_MANIFEST": "/m/privacy.yml", "PRIVACYOPS_PORT": "8100",
              "PRIVACYOPS_HOST": "127.0.0.2", "APP_DATABASE_URL": "sqlite:////data/app's.db"}
    home.write_settings_file(Path(".privacyops"), values, "test")
    assert mode(in_folder / ".privacyops" / "settings.env") == 0o600
    monkeypatch.setenv("PRIVACYOPS_PORT", "8200")
    settings = load_settings(host="127.0.0.3")
    assert (str(settings.manifest), settings.port, settings.host) == ("/m/privacy.yml", 8200, "127.0.0.3")
    assert os.environ["APP_DATABASE_URL"] == "sqlite:////data/app's.db"
    monkeypatch.setenv("APP_DATABASE_URL", "sqlite:////elsewhere.db")
    load_settings()
    assert os.environ["APP_DATABASE_URL"] == "sqlite:////elsewhere.db"  # a variable set wins


def test_store_follows_the_home_and_links_follow_the_port(in_folder: Path) -> None:
    settings = load_settings(home=in_folder / "state", port=8123)
    assert settings.database_url == f"sqlite:///{in_folder / 'state' / 'privacyops.db'}"
    assert settings.public_url == "http://127.0.0.1:8123"
    assert Settings(host="0.0.0.0", port=9000).public_url == "http://127.0.0.1:9000"
    assert Settings(host="::1", port=9000).public_url == "http://[::1]:9000"
    given = Settings(port=9000, public_url="https://privacy.example.com", database_url="sqlite:///x.db")
    assert (given.public_url, given.database_url) == ("https://privacy.example.com", "sqlite:///x.db")
