"""Which database `privacyops scan` connects to: --db, else the manifest's url, else its url_env variable."""

from __future__ import annotations

import pytest

from privacyops.cli import scan
from privacyops.manifest.schema import System


@pytest.mark.parametrize(("system", "override", "env", "expected"), [
    (System(connector="sql", url_env="APP_DB"), "sqlite:///x.db", {"APP_DB": "sqlite:///y.db"}, "sqlite:///x.db"),
    (System(connector="sql", url_env="APP_DB"), None, {"APP_DB": "sqlite:///y.db"}, "sqlite:///y.db"),
    (System(connector="sql", url="sqlite:///z.db"), None, {}, "sqlite:///z.db"),
    (System(connector="sql", url_env="APP_DB"), None, {"APP_DB": "postgresql://h/db"},
     "postgresql+psycopg://h/db"),
])
def test_connection_url(system: System, override: str | None, env: dict[str, str], expected: str) -> None:
    assert scan.connection_url("app_db", system, override, env) == expected


@pytest.mark.parametrize(("system", "message"), [
    (System(connector="sql", url_env="APP_DB"), "APP_DB is not set"),
    (System(connector="sql"), "no url or url_env"),
])
def test_missing_connection(system: System, message: str) -> None:
    with pytest.raises(scan.NoConnection, match=message):
        scan.connection_url("app_db", system, None, {})
