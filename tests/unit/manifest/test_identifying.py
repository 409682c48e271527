"""Which fields identify a person: by category, by the `identifies` flag, never through a reference."""

from __future__ import annotations

import pytest

from privacyops.manifest import identifying
from privacyops.manifest.systems import Field, Table


@pytest.mark.parametrize(("category", "kind"), [
    ("user.name", "name"), ("user.name.first", "name"), ("user.contact.email", "email"),
    ("user.contact.phone_number", "phone"), ("user.contact.address", "address"),
    ("user.contact.address.street", "address"), ("user.contact.address.city", None),
    ("user.contact.address.postal_code", None), ("user.account.username", "username"),
    ("user.account.settings", None), ("user.unique_id", "identifier"),
    ("user.unique_id.pseudonymous", "identifier"), ("user.content", None), ("user.device.ip_address", None),
])
def test_categories_identify_by_default(category: str, kind: str | None) -> None:
    assert identifying.category_kind(category) == kind
    assert identifying.field_kind(Field(categories=(category,))) == kind


def test_the_flag_overrides_the_categories() -> None:
    assert identifying.field_kind(Field(categories=("user.name",), identifies=False)) is None
    assert identifying.field_kind(Field(categories=("user.content",), identifies=True)) == "identifier"
    assert identifying.field_kind(Field(identifies=True)) == "identifier"
    assert identifying.field_kind(Field()) is None


def test_references_are_not_the_subjects_own_values() -> None:
    table = Table.model_validate({
        "references": {"invited_by": "users.id"},
        "fields": {"id": None, "invited_by": "user.unique_id", "name": "user.name",
                   "code": {"category": "user.account.settings", "identifies": True}, "note": "user.content"},
    })
    assert identifying.identifying_fields(table) == {"name": "name", "code": "identifier"}


def test_kinds_are_named_in_words() -> None:
    assert identifying.kind_word("phone") == "phone number"
    assert identifying.kind_word("address") == "postal address"
    assert identifying.kind_word("loyalty_code") == "loyalty code"
