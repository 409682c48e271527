"""Requests that arrive by email: parse a message (an ``.eml`` file or an inbound webhook) into a submission.

The sender's address becomes the email identity, the ``Date`` header the time received (the clock
starts when the mail arrived, INT-2), the ``Message-ID`` the external reference (importing the same
message twice links to the first request), and the request type is read from the words of the subject
and body. A message whose type cannot be told is refused with a clear error naming ``type``, so an
operator can import it with ``type`` given explicitly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import parseaddr, parsedate_to_datetime

from privacyops.requests import errors, intake
from privacyops.requests.context import DEFAULT_REGION
from privacyops.requests.types import RequestType

# Checked in order: the first pattern that matches decides (the more specific ones come first).
TYPE_WORDS: tuple[tuple[RequestType, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(pattern, re.IGNORECASE))
    for kind, pattern in (
        (RequestType.ACCOUNT_DELETION, r"\b(close|delete|remove)\b.{0,20}\baccount\b"),
        (RequestType.OPT_OUT_SALE_SHARE, r"\b(do not|don't) (sell|share)\b|\bopt[- ]out of (sale|sharing)\b"),
        (RequestType.MARKETING_OPT_OUT, r"\bunsubscribe\b|\bno (more )?marketing\b|\bnewsletter\b"),
        (RequestType.WITHDRAW_CONSENT, r"\bwithdraw\b.{0,20}\bconsent\b"),
        (RequestType.PORTABILITY, r"\bportab|\bexport\b.{0,30}\bdata\b"),
        (
            RequestType.RECTIFICATION,
            r"\b(correct|rectif|update|fix)\w*\b.{0,30}\b(data|name|address|details)\b",
        ),
        (RequestType.RESTRICTION, r"\brestrict"),
        (RequestType.OBJECTION, r"\bobject\b|\bobjection\b"),
        (RequestType.ERASURE, r"\b(erase|erasure|delete|deletion|remove|forget|forgotten)\b"),
        (RequestType.ACCESS, r"\b(access|copy|what (personal )?data|subject access|dsar|know)\b"),
    )
)


@dataclass(frozen=True)
class InboundEmail:
    """The parts of an email a request is built from (no body is stored beyond the details field)."""

    sender: str
    subject: str
    text: str
    received_at: datetime | None
    message_id: str | None


def parse_eml(raw: bytes) -> InboundEmail:
    """Parse a raw RFC 5322 message; raises an error naming ``eml`` when it has no usable sender."""
    message = BytesParser(policy=policy.default).parsebytes(raw)
    if not isinstance(message, EmailMessage):  # pragma: no cover - policy.default always builds these
        raise errors.RequestRuleError("not an email message", field="eml")
    _, address = parseaddr(str(message.get("From", "")))
    if not address:
        raise errors.RequestRuleError("the message has no From address to answer to", field="eml")
    return InboundEmail(
        sender=address,
        subject=str(message.get("Subject", "")),
        text=_plain_text(message),
        received_at=_date(message.get("Date")),
        message_id=str(message.get("Message-ID", "")).strip() or None,
    )


def _plain_text(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    content = part.get_content()
    text = content if isinstance(content, str) else ""
    if part.get_content_subtype() == "html":
        text = re.sub(r"<[^>]+>", " ", text)
    return text.strip()


def _date(value: object) -> datetime | None:
    if not value:
        return None
    try:
        moment = parsedate_to_datetime(str(value))
    except (TypeError, ValueError):
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def guess_type(subject: str, text: str) -> RequestType:
    """Tell the request type from the words of an email, or raise an error naming ``type``."""
    haystack = f"{subject}\n{text}"
    for kind, pattern in TYPE_WORDS:
        if pattern.search(haystack):
            return kind
    raise errors.RequestRuleError(
        "the email does not say what is asked (access, erasure, correction, ...); give the type",
        field="type",
    )


def submission_from_email(
    mail: InboundEmail,
    *,
    request_type: str | None = None,
    regions: tuple[str, ...] = (DEFAULT_REGION,),
    now: datetime | None = None,
) -> intake.Submission:
    """Build the submission for an email; the type is given or read from the words of the message."""
    kind = request_type or guess_type(mail.subject, mail.text).value
    received = mail.received_at
    if received is not None and now is not None and received > now:
        received = now  # a sender's clock ahead of ours must not push the deadline out
    details = f"{mail.subject}\n\n{mail.text}".strip()[: intake.MAX_DETAILS]
    return intake.build_submission(
        request_type=kind,
        identities=[("email", mail.sender)],
        regions=regions,
        channel="email",
        received_at=received,
        details=details or None,
        external_ref=mail.message_id,
    )
