"""The demo mailbox: in demo mode outgoing mail is kept as files in ``<home>/mailbox``, never sent.

``privacyops demo`` turns demo mode on, so a request can be verified without a mail server: the
messages are listed at ``/dev/mail`` (and ``/dev/mail.json``). Each message is one JSON file, so the
server and a separate worker share the mailbox through the home folder. Demo mode is off by default
and must stay off in production.
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from privacyops import home
from privacyops.settings import Settings

FOLDER = "mailbox"
FIELDS = ("to", "subject", "text", "received_at")


def folder_of(settings: Settings) -> Path:
    """Return the mailbox folder of the deployment's home."""
    return Path(settings.home) / FOLDER


@dataclass(frozen=True)
class MailboxMailer:
    """Keep each message as ``<folder>/<time>-<id>.json`` with its recipient, subject and text."""

    folder: Path

    def send(self, message: EmailMessage) -> None:
        """Store ``message`` in the mailbox (mode 0600: it may hold a verification code)."""
        record = {
            "to": str(message["To"]),
            "subject": str(message["Subject"]),
            "text": plain_text(message),
            "received_at": datetime.now(UTC).isoformat(),
        }
        name = f"{time.time_ns():020d}-{uuid.uuid4().hex[:8]}.json"
        home.write_private(self.folder / name, json.dumps(record, ensure_ascii=False).encode())


def plain_text(message: EmailMessage) -> str:
    """Return the plain-text part of a message (empty when it has none)."""
    part = message.get_body(preferencelist=("plain",))
    if part is None:
        return ""
    return str(part.get_content())


def messages(folder: Path) -> list[dict[str, Any]]:
    """Return the kept messages, newest first, as ``{to, subject, text, received_at}``."""
    if not folder.is_dir():
        return []
    found = []
    for path in sorted(folder.glob("*.json"), reverse=True):
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):  # a message still being written; it shows on the next look
            continue
        found.append({name: record.get(name, "") for name in FIELDS})
    return found
