"""Who receives personal data: service providers working for the company, and every other recipient."""

from __future__ import annotations

from pydantic import Field as PydanticField
from pydantic import field_validator

from privacyops.manifest.types import (
    Model,
    RecipientKind,
    ServiceCategory,
    TransferMechanism,
    check_snake_key,
)


class ErasureConnector(Model):
    """How a subprocessor is asked to erase: a connector type and its plain settings."""

    connector: str
    settings: dict[str, str] = PydanticField(default_factory=dict)


class Subprocessor(Model):
    """A service provider that receives personal data and processes it on the company's behalf.

    `country` and `transfer` are stated only when known: a missing transfer is reported as undeclared,
    never assumed to be "none".
    """

    name: str
    legal_entity: str | None = None
    service: ServiceCategory
    description: str | None = None
    categories: tuple[str, ...] = ()
    purposes: tuple[str, ...] = ()
    country: str | None = None
    transfer: TransferMechanism | None = None
    privacy_policy_url: str | None = None
    erasure: ErasureConnector | None = None

    @field_validator("service")
    @classmethod
    def _service_key(cls, value: str) -> str:
        return check_snake_key(value)


class Recipient(Model):
    """Anyone else who receives personal data.

    Other users, the public, affiliates, authorities, or an independent controller (such as a job board)
    that decides for itself what it does with the data.
    """

    name: str
    kind: RecipientKind
    description: str | None = None
    categories: tuple[str, ...] = ()
    purposes: tuple[str, ...] = ()
    country: str | None = None
    transfer: TransferMechanism | None = None
    privacy_policy_url: str | None = None


class BusinessTransfers(Model):
    """Whether data may pass to another company in a merger, sale, financing or acquisition."""

    applies: bool
    events: tuple[str, ...] = ()
