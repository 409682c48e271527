"""The subject's own values are given to her; other people's phones, names and contacts are not (AC-2)."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from privacyops.engine.values import ValueMatcher
from privacyops.manifest.schema import Manifest
from privacyops.package import people, redact, scrub

OWN = {"me@example.com"}


@pytest.mark.req("AC-2")
def test_own_phones_stay_and_other_phones_are_masked() -> None:
    text = "call me on 030 1234567, not +33 2 35 30 00 01"
    ((scrubbed, found),) = scrub.scrub_texts([text], OWN, own_phones={"+49 30 1234567"})
    assert scrubbed == "call me on 030 1234567, not [redacted: another person's phone number]"
    assert found == {scrub.OTHER_PHONE: 1}


@pytest.mark.req("AC-2")
def test_other_peoples_known_values_are_cut_wherever_they_stand() -> None:
    others = ValueMatcher([("name", "Bob Stone"), ("username", "bstone")])
    ((scrubbed, found),) = scrub.scrub_texts(["ask BOB STONE (bstone) or Bob"], OWN, others=others,
                                             describe=redact.other_person)
    assert scrubbed == ("ask [redacted: another person's name] ([redacted: another person's username]) "
                        "or Bob")
    assert found == {"another person's name": 1, "another person's username": 1}


@pytest.mark.req("AC-2")
def test_rows_found_by_her_identity_make_their_identifying_values_hers(example: Manifest) -> None:
    fields = redact.identity_fields(example)
    known = redact.SubjectIdentities.of({"email": "me@example.com"})
    rows = {"app_db.marketing_contacts": [{"id": "m1", "email": "me@example.com", "name": "Ada Lovelace",
                                           "hubspot_id": "HS-7781"}],
            "app_db.users": [{"id": "u_1", "email": "me@example.com", "phone": "+44 20 7946 0958"}]}
    redact.widen(known, fields, rows)
    assert known.owns("ada lovelace") and known.owns("HS-7781") and known.owns("020 7946 0958")
    assert known.as_json() == {"email": ["me@example.com"], "user_id": ["u_1"]}  # identities only
    counts: Counter[str] = Counter()
    row, changed = redact.mask_row("app_db.marketing_contacts", rows["app_db.marketing_contacts"][0],
                                   fields, known, counts)
    assert row["hubspot_id"] == "HS-7781" and not changed  # her own id, not "another person's user id"
    others: dict[str, str] = {}
    billing = {"id": "b1", "user_id": "u_1", "billing_name": "Bob Stone", "billing_email": "me@example.com"}
    row, changed = redact.mask_row("app_db.billing_customers", billing, fields, known, counts, others)
    assert row["billing_name"] == "[redacted: another person's name]" and changed == {"billing_name"}
    assert others == {"Bob Stone": "name"}


@pytest.mark.req("AC-2")
def test_person_objects_in_json_are_hers_or_another_persons() -> None:
    known = redact.SubjectIdentities.of({"email": "me@example.com"})
    payload = json.dumps({"from": {"name": "Ada L.", "Email": "ME@example.com"},
                          "cc": [{"fullName": "Dana Whitfield", "phone": "+1 415 555 0134"}],
                          "tool": {"name": "search"}})
    others = people.sort_people([payload, "plain text", "[not json"], known)
    assert others == {"Dana Whitfield": "name", "+1 415 555 0134": "phone"}
    assert known.owns("Ada L.")  # her object: it holds her email
    assert not known.owns("search")  # an object without a contact key describes no one
