"""Evidence files: a recipient's confirmation (or an agent's permission) uploaded beside a request.

A file is accepted only when its first bytes agree with its name: a PDF starts ``%PDF-``, a PNG with
its eight-byte signature, an ``.eml`` with mail header lines, a ``.txt`` is UTF-8 text without NUL
bytes. The name alone is never trusted, and a file is always served back as an attachment, so a page
or script disguised as a confirmation is neither accepted nor rendered. The bytes and the name are
sealed at rest; the audit chain records a hash of the name and the size, never the contents.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import PurePath

import sqlalchemy as sa
from sqlalchemy.orm import Session, defer

from privacyops.audit import chain
from privacyops.field_errors import FieldError
from privacyops.store.models.evidence import EvidenceFile

ENTITY = "evidence_file"
TYPES = {".pdf": "application/pdf", ".png": "image/png", ".eml": "message/rfc822", ".txt": "text/plain"}
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# An e-mail file starts with header lines ("Received: ...", "From: ..."), possibly an mbox "From " line.
_HEADER_LINE = re.compile(rb"^(From [^\r\n]*\r?\n)?[A-Za-z0-9-]{1,76}:[ \t]?[^\r\n]*\r?\n")
MAX_NAME = 200


class EvidenceRejected(FieldError):
    """An upload that cannot be kept: ``field`` names the form field, the message says how to fix it."""

    def __init__(self, field: str, message: str, *, too_large: bool = False) -> None:
        super().__init__(message, field=field)
        self.too_large = too_large
        self.status_code = 413 if too_large else 422


@dataclass(frozen=True)
class Upload:
    """A file as it arrived: its name and its bytes."""

    name: str
    content: bytes


def content_type(upload: Upload, limit: int) -> str:
    """Return the content type of an acceptable upload, or raise ``EvidenceRejected``."""
    if not upload.content:
        raise EvidenceRejected("file", "the file is empty; choose the recipient's confirmation to upload")
    if len(upload.content) > limit:
        raise EvidenceRejected(
            "file",
            f"the file is larger than the {limit} bytes allowed "
            "(PRIVACYOPS_EVIDENCE_MAX_BYTES); upload a smaller export of it, e.g. the e-mail as .txt",
            too_large=True,
        )
    suffix = PurePath(upload.name).suffix.lower()
    expected = TYPES.get(suffix)
    if expected is None:
        raise EvidenceRejected(
            "file",
            f"{f'a {suffix} file' if suffix else 'a file without an extension'} is not accepted; "
            "upload a .eml, .pdf, .png or .txt file",
        )
    if not sniff_matches(upload.content, expected):
        raise EvidenceRejected(
            "file",
            f"the file is named {suffix} but its contents are not a {suffix} file; "
            "upload the original file, or save it in one of .eml, .pdf, .png, .txt",
        )
    return expected


def sniffed(content: bytes) -> str | None:
    """Return the content type the first bytes show, among the accepted ones, or None."""
    if content.startswith(b"%PDF-"):
        return "application/pdf"
    if content.startswith(PNG_SIGNATURE):
        return "image/png"
    if b"\x00" in content[:8192]:
        return None
    try:
        content.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return "message/rfc822" if _HEADER_LINE.match(content) else "text/plain"


def sniff_matches(content: bytes, expected: str) -> bool:
    """Tell whether the bytes are of ``expected`` type (mail is text too, so a .txt may hold headers)."""
    found = sniffed(content)
    return found == expected or (expected == "text/plain" and found == "message/rfc822")


def attach(
    session: Session,
    *,
    request_id: str,
    task_id: int | None,
    kind: str,
    upload: Upload,
    actor: str,
    limit: int,
) -> EvidenceFile:
    """Check and keep one file, audited by the hash of its name and its size (flushed, not committed)."""
    kind_type = content_type(upload, limit)
    name = PurePath(upload.name.replace("\\", "/")).name[:MAX_NAME] or "evidence"
    row = EvidenceFile(
        request_id=request_id,
        task_id=task_id,
        kind=kind,
        file_name=name,
        content_type=kind_type,
        size=len(upload.content),
        sha256=hashlib.sha256(upload.content).hexdigest(),
        content=upload.content,
        uploaded_by=actor,
        uploaded_at=datetime.now(UTC),
    )
    session.add(row)
    session.flush()
    chain.append(
        session,
        actor=actor,
        action="evidence.attached",
        entity=ENTITY,
        entity_id=str(row.id),
        data={
            "request": request_id,
            "task": task_id,
            "kind": kind,
            "name_sha256": hashlib.sha256(name.encode()).hexdigest(),
            "size": row.size,
            "content_type": kind_type,
        },
    )
    return row


def files_of(session: Session, request_id: str) -> Sequence[EvidenceFile]:
    """Return a request's files without their bytes, oldest first."""
    query = (
        sa.select(EvidenceFile)
        .options(defer(EvidenceFile.content))
        .where(EvidenceFile.request_id == request_id)
        .order_by(EvidenceFile.id)
    )
    return session.scalars(query).all()
