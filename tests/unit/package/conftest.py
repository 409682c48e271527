from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from privacyops.connectors.memory import MemoryConnector
from privacyops.engine.plan import build_plan
from privacyops.engine.run import AccessResult, run_access
from privacyops.manifest.load import load_manifest
from privacyops.manifest.schema import Manifest, System

EXAMPLE = Path(__file__).parents[3] / "src/privacyops/examples/langfuse/privacy.yml"
ME = {"email": "me@example.com"}
NOW = dt.datetime(2025, 6, 30, 12, 0, tzinfo=dt.UTC)
BCRYPT = "$2b$12$" + "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0"
CARD = "4539 1488 0343 6467"  # passes the Luhn check

TABLES: dict[str, Any] = {
    "users": {"identity": {"email": "email", "user_id": "id"},
              "fields": {"id": "user.unique_id", "email": "user.contact.email", "name": "user.name",
                         "password_hash": {"category": "user.authorization.password",
                                           "disclose": "existence_only"},
                         "recovery_answer": "user.authorization.credentials",
                         "created_at": None}},
    "invitations": {"identity": {"email": "email"}, "references": {"invited_by": "users.id"},
                    "fields": {"id": None, "email": "user.contact.email", "invited_by": "user.unique_id",
                               "occurred_at": None}},
    "notes": {"references": {"user_id": "users.id"},
              "fields": {"id": None, "user_id": "user.unique_id", "text": "user.content",
                         "billing_email": "user.contact.email", "occurred_at": None}},
    "prefs": {"references": {"user_id": "users.id"},
              "fields": {"id": None, "user_id": "user.unique_id", "theme": None}},
}

ROWS: dict[str, list[dict[str, Any]]] = {
    "users": [
        {"id": "u1", "email": "me@example.com", "name": "Mia Example", "password_hash": BCRYPT,
         "recovery_answer": "my first cat", "created_at": dt.datetime(2021, 3, 1)},
        {"id": "u2", "email": "other@example.org", "name": "Otto Other", "password_hash": BCRYPT,
         "recovery_answer": "blue", "created_at": dt.datetime(2024, 1, 1)},
    ],
    "invitations": [
        {"id": "i1", "email": "friend@example.net", "invited_by": "u1",
         "occurred_at": dt.datetime(2025, 1, 5)},
        {"id": "i2", "email": "me@example.com", "invited_by": "u2", "occurred_at": dt.datetime(2022, 5, 5)},
        {"id": "i3", "email": "x@example.net", "invited_by": "u2", "occurred_at": dt.datetime(2025, 2, 2)},
    ],
    "notes": [
        {"id": "n1", "user_id": "u1",
         "text": f"Pay with {CARD}, cc Otto at other@example.org or me@example.com",
         "billing_email": "accounts@example.com", "occurred_at": "2025-03-01 10:00:00"},
        {"id": "n2", "user_id": "u1", "text": "=HYPERLINK(\"http://x\")", "billing_email": None,
         "occurred_at": "2023-03-01 10:00:00"},
        {"id": "n3", "user_id": "u1", "text": "undated", "billing_email": None, "occurred_at": None},
        {"id": "n4", "user_id": "u2", "text": "not mine", "billing_email": None, "occurred_at": None},
    ],
    "prefs": [{"id": "p1", "user_id": "u1", "theme": "dark"}],
}


@pytest.fixture(scope="session")
def example() -> Manifest:
    return load_manifest(EXAMPLE)


@pytest.fixture(scope="session")
def small(example: Manifest) -> Manifest:
    system = System.model_validate({"name": "App", "connector": "memory", "tables": TABLES})
    return example.model_copy(update={"systems": {"app": system}})


@pytest.fixture
def access(small: Manifest) -> AccessResult:
    connector = MemoryConnector(ROWS)
    result = run_access(build_plan(small, ME, "access"), {"app": connector}, ME)
    assert result.ok, result.steps
    return result
