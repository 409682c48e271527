"""People described inside JSON text: an object with a contact key is a person, the subject or another.

A support ticket's payload or an LLM trace often carries ``{"name": ..., "email": ..., "phone": ...}``
objects. An object that has an email, phone or username key describes a person. When one of its
values is the subject's own, every identifying value in it is the subject's (AC-2: given to them);
otherwise they are another person's, and free text anywhere in the package loses them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from privacyops.package.redact import SubjectIdentities

# Key (lower case, without `_` and `-`) -> kind of value it holds.
KEY_KINDS: dict[str, str] = {
    **dict.fromkeys(("email", "emailaddress", "mail"), "email"),
    **dict.fromkeys(("phone", "phonenumber", "mobile", "telephone", "tel"), "phone"),
    **dict.fromkeys(("username", "login", "handle"), "username"),
    **dict.fromkeys(("name", "fullname", "firstname", "lastname", "displayname", "givenname",
                     "familyname", "surname"), "name"),
    **dict.fromkeys(("address", "street", "streetaddress"), "address"),
}
CONTACT_KINDS = frozenset({"email", "phone", "username"})


def key_kind(key: Any) -> str | None:
    """Return the kind of value a JSON key holds, or None for a key that names no personal value."""
    return KEY_KINDS.get(str(key).lower().replace("_", "").replace("-", ""))


def people(value: Any) -> Iterator[list[tuple[str, str]]]:
    """Yield, for each person object in a value (JSON text or parsed), its (kind, value) pairs."""
    if isinstance(value, str):
        if value.lstrip()[:1] not in ("{", "["):
            return
        try:
            value = json.loads(value)
        except ValueError:
            return
    if isinstance(value, list):
        for item in value:
            yield from people(item)
    elif isinstance(value, Mapping):
        pairs = [(kind, item) for key, item in value.items()
                 if (kind := key_kind(key)) and isinstance(item, str) and item.strip()]
        if any(kind in CONTACT_KINDS for kind, _ in pairs):
            yield pairs
        for item in value.values():
            if isinstance(item, list | Mapping):
                yield from people(item)


def sort_people(values: Iterable[Any], known: SubjectIdentities) -> dict[str, str]:
    """Add the subject's own person objects to ``known``; return other people's values (value -> kind)."""
    others: dict[str, str] = {}
    for value in values:
        for person in people(value):
            if any(known.owns(item) for _, item in person):
                for kind, item in person:
                    known.add_own(kind, item)
            else:
                for kind, item in person:
                    others.setdefault(item, kind)
    return {value: kind for value, kind in others.items() if not known.owns(value)}
