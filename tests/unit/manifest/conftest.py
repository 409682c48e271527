from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml

# A small manifest that loads and lints clean; tests break one thing at a time.
MINIMAL = """\
controller:
  legal_name: Example GmbH
  address: {street: Main St 1, postal_code: "10115", city: Berlin, country: Germany}
  email: privacy@sample-gmbh.de
notice:
  version: "1"
  last_updated: 2026-06-01
contacts:
  privacy_email: privacy@sample-gmbh.de
regions:
  eea:
    name: European Economic Area
    law: GDPR
    basis_regime: gdpr
    rights: [access, erasure, withdraw_consent]
    deadline: {months: 1}
    extension: {months: 2}
  ca:
    name: Canada
    law: PIPEDA
    basis_regime: pipeda
    rights: [access, erasure]
    deadline: {days: 30}
data_categories:
  user.contact.email: {name: Email addresses, ccpa: A}
  user.name: {name: Names, ccpa: A}
purposes:
  account:
    name: Run user accounts
    categories: [user.contact.email, user.name]
    data_use: essential.service
    basis: {gdpr: contract, pipeda: implied_consent}
  newsletter:
    name: Send the newsletter
    categories: [user.contact.email]
    data_use: marketing.communications.email
    basis: {gdpr: consent, pipeda: express_consent}
    withdrawal: [unsubscribe_link]
retention:
  rules:
    - {name: after-termination, data: [app_db.*], trigger: account_terminated, period: P1M}
minors: {minimum_age: 16, knowingly_collects: false}
automated_decisions: []
systems:
  app_db:
    connector: sql
    url_env: APP_DATABASE_URL
    tables:
      users:
        identity: {email: email, user_id: id}
        fields:
          id:
          email: user.contact.email
          name: user.name
      posts:
        references: {user_id: users.id}
        fields:
          id:
          user_id:
"""

TODAY = dt.date(2026, 11, 26)


def line_of(text: str, needle: str) -> int:
    """Return the 1-based line of the first line containing `needle`."""
    for number, line in enumerate(text.splitlines(), start=1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not in text")


@pytest.fixture
def write(tmp_path: Path):
    def _write(text: str, name: str = "privacy.yml") -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path
    return _write


def minimal_data() -> dict[str, Any]:
    return yaml.safe_load(MINIMAL)


def dump(data: dict[str, Any]) -> str:
    return yaml.safe_dump(data, sort_keys=False)
