"""Evidence files: what a recipient sent back (a confirmation e-mail, a PDF) or an agent's permission.

The bytes are personal data (a confirmation names the subject), so they are sealed at rest like every
other personal value; so is the file's name. Only reviewers and admins read them back.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from privacyops.store.base import Base
from privacyops.store.models.sealed import SealedBytes, SealedText
from privacyops.store.models.types import UtcDateTime, utcnow

KINDS = ("recipient_confirmation", "agent_permission")


class EvidenceFile(Base):
    """One uploaded file, attached to a request and, for a recipient's answer, to its task."""

    __tablename__ = "evidence_files"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("subject_requests.id", ondelete="CASCADE"), index=True
    )
    task_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("recipient_tasks.id", ondelete="CASCADE"), nullable=True, index=True
    )
    kind: Mapped[str] = mapped_column(String(40))
    file_name: Mapped[str] = mapped_column(SealedText("evidence_files.file_name"))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(SealedBytes("evidence_files.content"))
    uploaded_by: Mapped[str] = mapped_column(String(200))
    uploaded_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
