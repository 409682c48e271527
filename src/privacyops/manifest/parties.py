"""Who is responsible and how to reach them: controller, representatives, contacts."""

from __future__ import annotations

from pydantic import model_validator

from privacyops.manifest.types import Model


class Address(Model):
    """A postal address."""

    street: str
    postal_code: str
    city: str
    region: str | None = None
    country: str

    def one_line(self) -> str:
        """Return the address on one line."""
        parts = [self.street, f"{self.postal_code} {self.city}", self.region, self.country]
        return ", ".join(p for p in parts if p)


class Representative(Model):
    """A representative or data protection officer, with their own contact details.

    Some companies publish only how to reach their representative, not who it is: the name is optional,
    a way to reach them is not.
    """

    name: str | None = None
    email: str | None = None
    phone: str | None = None
    website: str | None = None
    address: Address | None = None

    @model_validator(mode="after")
    def _reachable(self) -> Representative:
        if not (self.email or self.phone or self.website or self.address):
            raise ValueError("a representative needs a way to be reached: add email, phone, website or "
                             "address")
        return self


class Affiliate(Model):
    """Another company of the group that also acts for the data, e.g. a subsidiary in another country."""

    legal_name: str
    country: str | None = None
    address: Address | None = None
    role: str | None = None


class Controller(Model):
    """Who decides why and how the data is processed.

    `country` is the ISO 3166 code of where the controller is established; the records of processing
    judge transfers against it.
    """

    legal_name: str
    address: Address | None = None
    country: str | None = None
    email: str
    phone: str | None = None
    website: str | None = None
    representative_eea: Representative | None = None
    representative_uk: Representative | None = None
    dpo: Representative | None = None
    affiliates: tuple[Affiliate, ...] = ()


class ContactPoint(Model):
    """A further address for one topic, e.g. job applications or security reports."""

    topic: str
    email: str | None = None
    url: str | None = None


class Contacts(Model):
    """Where people reach the privacy team and file requests."""

    privacy_email: str
    postal_address: Address | None = None
    phone: str | None = None
    dsr_url: str | None = None
    account_deletion_help_url: str | None = None
    account_settings_url: str | None = None
    topics: tuple[ContactPoint, ...] = ()
