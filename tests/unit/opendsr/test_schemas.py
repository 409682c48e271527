"""The OpenDSR request document: valid ones pass, each bad one names the field at fault."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest

from privacyops.opendsr import service

GOOD: dict[str, Any] = {
    "regulation": "gdpr",
    "subject_request_id": "a7551968-d5d6-44b2-9831-815ac9017798",
    "subject_request_type": "erasure",
    "submitted_time": "2026-11-20T09:00:00Z",
    "subject_identities": [
        {"identity_type": "email", "identity_value": "a@example.com", "identity_format": "raw"}
    ],
    "status_callback_urls": ["https://controller.example/callbacks"],
}

EMAIL = {"identity_type": "email", "identity_value": "a@example.com"}


def body(**changes: Any) -> bytes:
    doc = {**GOOD, **changes}
    return json.dumps({k: v for k, v in doc.items() if v is not None}).encode()


def test_a_good_document_is_read() -> None:
    document = service.parse(body())
    assert document.subject_request_type == "erasure"
    assert str(document.status_callback_urls[0]) == "https://controller.example/callbacks"


@pytest.mark.parametrize("form", ["sha256", "md5", "sha1"])
def test_hashed_identities_are_lower_cased_hex(form: str) -> None:
    value = hashlib.new(form, b"a@example.com").hexdigest().upper()
    identity = {"identity_type": "email", "identity_value": value, "identity_format": form}
    document = service.parse(body(subject_identities=[identity]))
    assert document.subject_identities[0].identity_value == value.lower()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"subject_request_id": None}, "subject_request_id"),
        ({"subject_request_id": "A7551968-D5D6-44B2-9831-815AC9017798"}, "subject_request_id"),
        ({"subject_request_id": "a7551968-d5d6-14b2-9831-815ac9017798"}, "subject_request_id"),
        ({"regulation": "pipeda"}, "regulation"),
        ({"subject_request_type": "rectification"}, "subject_request_type"),
        ({"submitted_time": "2026-11-20 09:00"}, "submitted_time"),
        ({"subject_identities": []}, "subject_identities"),
        ({"subject_identities": [EMAIL | {"identity_value": "zz", "identity_format": "md5"}]},
         "subject_identities[0]"),
        ({"subject_identities": [EMAIL | {"identity_format": "rot13"}]},
         "subject_identities[0].identity_format"),
        ({"subject_identities": [{"identity_type": "fax", "identity_value": "x"}]},
         "subject_identities[0].identity_type"),
        ({"subject_identities": [{"identity_type": "ios_vendor_id", "identity_value": "x"}]},
         "subject_identities[0].identity_type"),
        ({"status_callback_urls": ["not a url"]}, "status_callback_urls[0]"),
        ({"unknown": 1}, "unknown"),
    ],
)
def test_a_bad_document_names_the_field(changes: dict[str, Any], field: str) -> None:
    with pytest.raises(service.BadDocument) as caught:
        service.parse(body(**changes))
    assert field in [p.field for p in caught.value.problems]


def test_not_json_is_a_problem_of_the_body() -> None:
    with pytest.raises(service.BadDocument) as caught:
        service.parse(b"{not json")
    assert caught.value.problems[0].field == "body"
