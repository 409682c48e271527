"""The OpenDSR v2 documents: the request a customer sends, and discovery, status, receipts and callbacks."""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, HttpUrl, field_validator, model_validator

API_VERSION = "2.0"
IdentityFormat = Literal["raw", "sha1", "md5", "sha256"]
RequestType = Literal["access", "portability", "erasure"]
Status = Literal["pending", "in_progress", "completed", "cancelled"]
# Every identity type of the specification; the processor supports the ones in SUPPORTED_TYPES.
IDENTITY_TYPES = (
    "controller_customer_id", "android_advertising_id", "android_id", "email", "fire_advertising_id",
    "ios_advertising_id", "ios_vendor_id", "microsoft_advertising_id", "microsoft_publisher_id",
    "roku_publisher_id", "roku_advertising_id",
)
# OpenDSR identity type -> identity kind of the manifest.
SUPPORTED_TYPES: dict[str, str] = {"email": "email", "controller_customer_id": "user_id"}
FORMATS: tuple[IdentityFormat, ...] = ("raw", "sha1", "md5", "sha256")
HEX_LENGTH = {"sha1": 40, "md5": 32, "sha256": 64}
UUID_RULE = "must be a UUID v4 in lower case, e.g. a7551968-d5d6-44b2-9831-815ac9017798"
_HEX = re.compile(r"^[0-9a-f]+$")


class Document(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Identity(Document):
    """One identity of the subject: type, value and how the value is encoded."""

    identity_type: str
    identity_value: str = Field(min_length=1, max_length=320)
    identity_format: IdentityFormat = "raw"

    @field_validator("identity_type")
    @classmethod
    def _known_type(cls, value: str) -> str:
        if value not in IDENTITY_TYPES:
            raise ValueError(f"unknown identity type; use one of: {', '.join(IDENTITY_TYPES)}")
        return value

    @model_validator(mode="after")
    def _hash_shape(self) -> Identity:
        size = HEX_LENGTH.get(self.identity_format)
        if size is not None:
            value = self.identity_value.lower()
            if len(value) != size or not _HEX.match(value):
                raise ValueError(f"a {self.identity_format} identity_value is {size} hexadecimal characters")
            self.identity_value = value
        return self


class RequestDocument(Document):
    """What a customer (the controller) posts to ``/opendsr/v1/requests``."""

    regulation: Literal["gdpr", "ccpa"]
    subject_request_id: str
    subject_request_type: RequestType
    submitted_time: AwareDatetime
    subject_identities: list[Identity] = Field(min_length=1, max_length=20)
    api_version: str | None = None
    status_callback_urls: list[HttpUrl] = Field(default_factory=list, max_length=10)
    extensions: dict[str, Any] | None = None

    @field_validator("subject_request_id")
    @classmethod
    def _uuid4(cls, value: str) -> str:
        try:
            parsed = uuid.UUID(value)
        except ValueError:
            parsed = None
        if parsed is None or parsed.version != 4 or str(parsed) != value:
            raise ValueError(UUID_RULE)
        return value


class SupportedIdentity(BaseModel):
    identity_type: str
    identity_format: IdentityFormat


class Discovery(BaseModel):
    """What the processor supports, and where its signing certificate and public key are."""

    api_version: str = API_VERSION
    supported_identities: list[SupportedIdentity]
    supported_subject_request_types: list[RequestType]
    processor_certificate: str
    processor_public_key: str


class Receipt(BaseModel):
    """The answer to a new request (201): when it will be done, and a signature of the request received."""

    controller_id: str
    expected_completion_time: datetime
    received_time: datetime
    encoded_request: str
    subject_request_id: str
    processor_signature: str
    api_version: str = API_VERSION


class StatusDocument(BaseModel):
    """A request's status, as answered by GET and sent in callbacks."""

    controller_id: str
    expected_completion_time: datetime
    subject_request_id: str
    request_status: Status
    api_version: str = API_VERSION
    results_url: str | None = None
    results_count: int | None = None


class Callback(StatusDocument):
    """A status callback: the status document plus the URL it is sent to."""

    status_callback_url: str


class Cancellation(BaseModel):
    """The answer to a cancellation (202)."""

    controller_id: str
    subject_request_id: str
    received_time: datetime
    processor_signature: str
    api_version: str = API_VERSION


def supported_identities() -> list[SupportedIdentity]:
    """Return every (identity type, format) pair the processor matches."""
    return [SupportedIdentity(identity_type=t, identity_format=f) for t in SUPPORTED_TYPES for f in FORMATS]
