"""Which fields identify a person: their values are the subject's own in the subject's own rows.

A field identifies when it says so (``identifies: true``) or, unless it says ``identifies: false``,
when one of its categories is (or sits under) a category listed in ``IDENTIFYING_CATEGORIES``. Each
identifying field has a kind (``name``, ``email``, ``phone``, ``address``, ``username``,
``identifier``) that decides how its values are looked for in free text and how a masked value of
another person is described.
"""

from __future__ import annotations

from privacyops.manifest.systems import Field, Table

# Category -> kind. A sub-category counts as its parent (user.name.first is a name) unless listed.
IDENTIFYING_CATEGORIES: dict[str, str | None] = {
    "user.name": "name",
    "user.contact.email": "email",
    "user.contact.phone_number": "phone",
    "user.contact.fax_number": "phone",
    "user.contact.address": "address",
    "user.contact.address.street": "address",
    # A city, state, country or postal code alone points at many people: not identifying by default.
    "user.contact.address.city": None,
    "user.contact.address.state": None,
    "user.contact.address.country": None,
    "user.contact.address.postal_code": None,
    "user.account.username": "username",
    "user.unique_id": "identifier",
}
DEFAULT_KIND = "identifier"
# How each kind of value is named to people (identity kinds of the manifest included).
KIND_WORDS: dict[str, str] = {
    "name": "name", "email": "email address", "phone": "phone number", "address": "postal address",
    "username": "username", "identifier": "identifier", "user_id": "user id", "customer_id": "customer id",
    "external_id": "external id", "ip_address": "IP address",
}


def kind_word(kind: str) -> str:
    """Name a kind of identifying value in words, e.g. ``phone`` -> ``phone number``."""
    return KIND_WORDS.get(kind, kind.replace("_", " "))


def category_kind(category: str) -> str | None:
    """Return the kind of value a category identifies a person by, or None when it does not."""
    key = category
    while key:
        if key in IDENTIFYING_CATEGORIES:
            return IDENTIFYING_CATEGORIES[key]
        key = key.rpartition(".")[0]
    return None


def field_kind(spec: Field) -> str | None:
    """Return the kind of an identifying field, or None when the field does not identify anyone."""
    if spec.identifies is False:
        return None
    kinds = [kind for kind in map(category_kind, spec.categories) if kind]
    if kinds:
        return kinds[0]
    return DEFAULT_KIND if spec.identifies else None


def identifying_fields(table: Table) -> dict[str, str]:
    """Return the table's identifying fields with their kinds, leaving out references to other rows.

    A reference (``invited_by_user_id -> users.id``) points at a row that may be someone else's, so
    its value is never taken as the subject's own merely because it sits in the subject's row.
    """
    pointing = {column for reference in table.references for column in reference.fields}
    found = {name: field_kind(spec) for name, spec in table.fields.items() if name not in pointing}
    return {name: kind for name, kind in found.items() if kind}
