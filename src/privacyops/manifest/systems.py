"""Systems and their datasets: where personal data lives and how a subject's rows are found and erased."""

from __future__ import annotations

import re
from typing import Any

from pydantic import Field as PydanticField
from pydantic import field_validator, model_validator

from privacyops.manifest.types import (
    ConnectorRole,
    Disclosure,
    ErasureStrategy,
    IdentityKind,
    LegalHold,
    Model,
)

SECRET_IN_URL = re.compile(r"^[a-z][a-z0-9+.-]*://[^/@:]*:[^/@]+@", re.IGNORECASE)
ENV_NAME = re.compile(r"^[A-Z_][A-Z0-9_]*$")


class Field(Model):
    """One column or document path: the data categories it holds and how it is erased and disclosed."""

    categories: tuple[str, ...] = ()
    erase: ErasureStrategy | None = None
    hold: LegalHold | None = None
    disclose: Disclosure = "full"
    # Whether the value identifies the person (a name, phone, username): erasure removes it from free
    # text and an access shows it as the subject's own. None: decided by the categories.
    identifies: bool | None = None
    description: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, value: Any) -> Any:
        # `email: user.contact.email` is short for `email: {categories: [user.contact.email]}`.
        if isinstance(value, str):
            return {"categories": [value]}
        if value is None:
            return {}
        if isinstance(value, dict) and "category" in value:
            value = dict(value)
            category = value.pop("category")
            value["categories"] = [category] if isinstance(category, str) else category
        return value

    @model_validator(mode="after")
    def _hold_for_keep(self) -> Field:
        if self.erase == "keep" and self.hold is None:
            raise ValueError("erase: keep needs a hold: {name, reason, period} saying why and how long")
        return self


class Reference(Model):
    """Fields of this table that point at fields of another table, possibly in another system."""

    fields: tuple[str, ...]
    to: tuple[str, ...]

    @model_validator(mode="after")
    def _same_arity(self) -> Reference:
        if len(self.fields) != len(self.to) or not self.fields:
            raise ValueError("a reference needs as many target fields in `to` as it has `fields`")
        for target in self.to:
            if target.count(".") not in (1, 2):
                raise ValueError(f"{target!r} must be table.field or system.table.field")
        return self


class Table(Model):
    """A table or collection: identities, references, fields and the erasure strategy."""

    description: str | None = None
    primary_key: tuple[str, ...] = ("id",)
    identity: dict[IdentityKind, str] = PydanticField(default_factory=dict)
    references: tuple[Reference, ...] = ()
    fields: dict[str, Field] = PydanticField(default_factory=dict)
    erase: ErasureStrategy = "delete"
    hold: LegalHold | None = None
    role: ConnectorRole | None = None

    @field_validator("primary_key", mode="before")
    @classmethod
    def _key_list(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value

    @field_validator("references", mode="before")
    @classmethod
    def _reference_shorthand(cls, value: Any) -> Any:
        # `references: {user_id: users.id}` is short for a list of one-field references.
        if isinstance(value, dict):
            return [{"fields": [name], "to": [target]} for name, target in value.items()]
        return value

    @model_validator(mode="after")
    def _hold_for_keep(self) -> Table:
        if self.erase == "keep" and self.hold is None:
            raise ValueError("erase: keep needs a hold: {name, reason, period} saying why and how long")
        if self.erase == "none":
            personal = [name for name, spec in self.fields.items() if spec.categories and spec.erase is None]
            if personal:
                raise ValueError(f"erase: none, but fields {personal} hold personal data; "
                                 "give them an erase strategy or choose another one for the table")
        return self

    def categories(self) -> set[str]:
        """Return every data category some field of this table holds."""
        return {c for spec in self.fields.values() for c in spec.categories}


class System(Model):
    """A place that holds personal data, reached through a connector of the named type."""

    name: str | None = None
    description: str | None = None
    connector: str
    url: str | None = None
    url_env: str | None = None
    role: ConnectorRole = "controller"
    tables: dict[str, Table] = PydanticField(default_factory=dict)

    @field_validator("url")
    @classmethod
    def _no_secret(cls, value: str | None) -> str | None:
        if value is not None and SECRET_IN_URL.match(value):
            raise ValueError(
                "the URL holds a password; put the URL in an environment variable and name it in url_env"
            )
        return value

    @field_validator("url_env")
    @classmethod
    def _env_name(cls, value: str | None) -> str | None:
        if value is not None and not ENV_NAME.match(value):
            raise ValueError(f"{value!r} is not an environment variable name; write e.g. APP_DATABASE_URL")
        return value

    @model_validator(mode="after")
    def _one_connection(self) -> System:
        if self.url is not None and self.url_env is not None:
            raise ValueError("give either url or url_env, not both")
        return self
