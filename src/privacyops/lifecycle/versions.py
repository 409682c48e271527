"""Publishing a version of the manifest: validated, dated, rendered, compared with the last, stored.

The version's notice is rendered with its effective date as the "last updated" date, so the date
changes with every publication (NV-1). Bad input (an invalid manifest, an effective date in the past,
the same version twice) raises before anything is written.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import Session

from privacyops.audit import chain
from privacyops.lifecycle import changes as lchanges
from privacyops.lifecycle import telling
from privacyops.manifest import load
from privacyops.manifest.schema import Manifest
from privacyops.notice import render
from privacyops.requests.context import ServiceContext
from privacyops.store.models.notice import NoticeVersion


class PublishError(ValueError):
    """A version that cannot be published; the message names the option or key and the fix."""


@dataclass(frozen=True)
class Published:
    """The stored version, its classified changes and how many mails it queued."""

    version: NoticeVersion
    changes: list[lchanges.Change]
    mails: int


def dated(manifest: Manifest, effective: dt.date) -> Manifest:
    """Return the manifest with its notice dated by ``effective`` (last updated and effective date)."""
    notice = manifest.notice.model_copy(update={"last_updated": effective, "effective_date": effective})
    return manifest.model_copy(update={"notice": notice})


def publish(
    session: Session, ctx: ServiceContext, path: Path, effective: dt.date, *, actor: str
) -> Published:
    """Publish the manifest at ``path`` in effect from ``effective``; the caller commits.

    Raises ManifestError for an invalid manifest and PublishError for a date in the past or a
    version label already published.
    """
    today = ctx.now().date()
    if effective < today:
        raise PublishError(
            f"--effective {effective.isoformat()} is in the past; give today "
            f"({today.isoformat()}) or a later date"
        )
    text = path.read_text(encoding="utf-8")
    manifest = load.load_text(text, str(path))
    previous = latest(session)
    found = lchanges.diff(manifest_of(previous), manifest) if previous else []
    label = manifest.notice.version or effective.isoformat()
    _check_new(session, label, previous, text)
    body = render.render_notice_body(dated(manifest, effective))
    row = NoticeVersion(
        version=label,
        manifest_sha256=_sha(text),
        notice_sha256=_sha(body),
        effective_date=effective,
        published_at=ctx.now(),
        manifest_text=text,
        notice_html=body,
        changes=[c.as_dict() for c in found],
        material=any(c.material for c in found),
    )
    session.add(row)
    session.flush()
    chain.append(
        session,
        actor=actor,
        action="notice.published",
        entity="notice_version",
        entity_id=str(row.id),
        data={
            "version": label,
            "effective": effective.isoformat(),
            "material": row.material,
            "kinds": sorted({c.kind for c in found}),
        },
    )
    mails = telling.tell(session, ctx, row, found)
    return Published(row, found, mails)


def latest(session: Session) -> NoticeVersion | None:
    """Return the version published last, or None."""
    return session.execute(
        sa.select(NoticeVersion).order_by(NoticeVersion.id.desc()).limit(1)
    ).scalar_one_or_none()


def current(session: Session, today: dt.date) -> NoticeVersion | None:
    """Return the version in effect on ``today``: the last published whose effective date has come."""
    return session.execute(
        sa.select(NoticeVersion)
        .where(NoticeVersion.effective_date <= today)
        .order_by(NoticeVersion.effective_date.desc(), NoticeVersion.id.desc())
        .limit(1)
    ).scalar_one_or_none()


def archive(session: Session) -> list[NoticeVersion]:
    """Return every published version, newest first."""
    return list(session.execute(sa.select(NoticeVersion).order_by(NoticeVersion.id.desc())).scalars())


def manifest_of(version: NoticeVersion) -> Manifest:
    """Return the manifest a version was published from."""
    return load.load_text(version.manifest_text or "", f"notice version {version.id}")


def stored_changes(version: NoticeVersion) -> list[lchanges.Change]:
    """Return the changes stored with a version (from the one before it)."""
    return [lchanges.Change.from_dict(item) for item in version.changes or []]


def _check_new(session: Session, label: str, previous: NoticeVersion | None, text: str) -> None:
    if previous is not None and previous.manifest_sha256 == _sha(text):
        raise PublishError(
            f"this manifest is already published as version {previous.version} "
            f"(number {previous.id}); change it before publishing again"
        )
    taken = session.execute(sa.select(NoticeVersion.id).where(NoticeVersion.version == label)).scalar()
    if taken is not None:
        raise PublishError(
            f"notice.version {label!r} is already published (number {taken}); "
            "set a new notice.version in the manifest"
        )


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
