"""Sending email: a small ``Mailer`` protocol, the SMTP implementation, and an in-memory fake for tests.

In demo mode (``PRIVACYOPS_DEMO_MODE``) mail goes to the home folder's mailbox instead
(:mod:`privacyops.requests.mailbox`), so the demo finishes a request without a mail server.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Protocol

from privacyops.settings import Settings


class Mailer(Protocol):
    """Anything that can deliver one message (raising on failure)."""

    def send(self, message: EmailMessage) -> None: ...


class MailServerUnreachable(OSError):
    """The SMTP server did not answer: nothing was sent, and no message is to blame."""


@dataclass(frozen=True)
class SmtpMailer:
    """Deliver through an SMTP server with the standard library's ``smtplib``."""

    host: str
    port: int
    timeout: float = 30.0
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    starttls: bool = False
    tls_context: ssl.SSLContext | None = field(default=None, repr=False, compare=False)  # None: system CAs

    def send(self, message: EmailMessage) -> None:
        """Hand ``message`` to the SMTP server; raises ``smtplib.SMTPException`` or ``OSError`` on failure.

        A server that cannot be reached or does not greet raises :class:`MailServerUnreachable`.
        """
        try:
            smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        except OSError as exc:  # refused, timed out, unknown host, no greeting: the server is down
            raise MailServerUnreachable(f"{self.host}:{self.port}: {type(exc).__name__}") from exc
        try:
            if self.starttls:
                smtp.starttls(context=self.tls_context or ssl.create_default_context())
                smtp.ehlo()
            if self.username:
                smtp.login(self.username, self.password or "")
            smtp.send_message(message)
            smtp.quit()
        finally:  # after a failed handshake a polite QUIT would hang; the first error is the one to report
            smtp.close()


@dataclass
class MemoryMailer:
    """Keep messages in a list instead of sending them (unit tests, dry runs)."""

    sent: list[EmailMessage] = field(default_factory=list)
    fail_with: Exception | None = None

    def send(self, message: EmailMessage) -> None:
        """Record ``message``, or raise ``fail_with`` when set."""
        if self.fail_with is not None:
            raise self.fail_with
        self.sent.append(message)


def outgoing_mailer(settings: Settings) -> Mailer:
    """Return the mailer the service sends with: the demo mailbox in demo mode, SMTP otherwise."""
    if settings.demo_mode:
        from privacyops.requests import mailbox

        return mailbox.MailboxMailer(mailbox.folder_of(settings))
    return mailer_from(settings)


def mailer_from(settings: Settings) -> SmtpMailer:
    """Return the SMTP mailer of ``PRIVACYOPS_SMTP_*``: host, port, and optional STARTTLS and login."""
    return SmtpMailer(
        settings.smtp_host,
        settings.smtp_port,
        username=settings.smtp_username or None,
        password=settings.smtp_password,
        starttls=settings.smtp_starttls,
    )


def build_message(
    *,
    sender: str,
    recipient: str,
    subject: str,
    text: str,
    html: str,
    message_id: str,
    date: datetime | None = None,
) -> EmailMessage:
    """Return a multipart/alternative message with a plain-text and an HTML part and a fixed Message-ID."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = recipient
    message["Subject"] = subject
    message["Message-ID"] = message_id
    message["Date"] = format_datetime(date or datetime.now(UTC))
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    return message
