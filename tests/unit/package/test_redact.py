from __future__ import annotations

from collections import Counter

import pytest

from privacyops.manifest.schema import Manifest
from privacyops.package import redact


def test_identity_like_fields_come_from_locators_references_and_categories(example: Manifest) -> None:
    fields = redact.identity_fields(example)
    assert fields.kinds("app_db.users", "email") == {"email"}
    assert fields.kinds("app_db.users", "id") == {"user_id"}
    assert fields.kinds("app_db.invitations", "email") == {"email"}
    assert fields.kinds("app_db.invitations", "invited_by_user_id") == {"user_id"}  # reference to users.id
    assert fields.kinds("app_db.billing_customers", "billing_email") == {"email"}  # same category
    assert fields.kinds("app_db.accounts", "provider_account_id") == {"user_id", "customer_id"}
    assert fields.kinds("app_db.invitations", "role") == frozenset()
    assert fields.kinds("app_db.traces", "metadata") == frozenset()  # identity inside JSON: scanned as text


@pytest.mark.req("AC-2")
def test_identities_widen_through_rows_found_by_an_identity(example: Manifest) -> None:
    fields = redact.identity_fields(example)
    known = redact.SubjectIdentities.of({"email": "Me@Example.com", "region": "eea"})
    rows = {"app_db.users": [{"id": "u_1", "email": "me@example.com"}, {"id": "u_2", "email": "x@y.z"}],
            "app_db.invitations": [{"id": "i", "email": "friend@y.z", "invited_by_user_id": "u_1"}]}
    redact.widen(known, fields, rows)
    assert known.as_json() == {"email": ["me@example.com"], "user_id": ["u_1"]}
    assert known.owns("ME@example.com") and known.owns("u_1") and not known.owns("u_2")


@pytest.mark.req("AC-2")
def test_other_peoples_identities_are_masked_and_counted(example: Manifest) -> None:
    fields = redact.identity_fields(example)
    known = redact.SubjectIdentities.of({"email": "me@example.com", "user_id": "u_1"})
    counts: Counter[str] = Counter()
    sent = {"id": "i1", "email": "friend@y.z", "invited_by_user_id": "u_1", "role": "VIEWER"}
    row, changed = redact.mask_row("app_db.invitations", sent, fields, known, counts)
    assert row["email"] == "[redacted: another person's email address]" and changed == {"email"}
    received = {"id": "i2", "email": "me@example.com", "invited_by_user_id": "u_9", "role": "MEMBER"}
    row, changed = redact.mask_row("app_db.invitations", received, fields, known, counts)
    assert row["invited_by_user_id"] == "[redacted: another person's user id]"
    assert changed == {"invited_by_user_id"}
    assert counts == {"another person's email address": 1, "another person's user id": 1}


def test_unknown_kinds_stay_in_rows_tied_to_the_subject(example: Manifest) -> None:
    fields = redact.identity_fields(example)
    known = redact.SubjectIdentities.of({"email": "me@example.com", "user_id": "u_1"})
    counts: Counter[str] = Counter()
    account = {"id": "a1", "user_id": "u_1", "provider": "github", "provider_account_id": "9876"}
    row, changed = redact.mask_row("app_db.accounts", account, fields, known, counts)
    assert row == account and not changed
    stray = {"id": "a2", "user_id": None, "provider": "github", "provider_account_id": "1234"}
    row, changed = redact.mask_row("app_db.accounts", stray, fields, known, counts)
    assert changed == {"provider_account_id"}
