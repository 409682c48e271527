"""The cookie banner: its configuration from the manifest, the script as served, and recording a choice.

The banner offers the manifest's non-essential cookie categories; accept all and reject all are one
click each, side by side (CN-5). A choice is recorded for the browser's random visitor id, one receipt
per category that changed. A GPC signal (``Sec-GPC: 1`` or ``navigator.globalPrivacyControl``) is
recorded as a sale/share opt-out and keeps sale/share categories off whatever was clicked (OS-1, OS-2).
DNT counts only if the manifest honours it (OS-5).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session

from privacyops.consent import ledger, signals
from privacyops.consent import purposes as cpurposes
from privacyops.consent.errors import ConsentRuleError
from privacyops.consent.subjects import Subject
from privacyops.manifest.schema import Manifest
from privacyops.store.models.consent import ConsentState

SCRIPT = Path(__file__).with_name("static") / "banner.js"
COOKIE_NAME = "privacyops_consent"
# An opt-out is not followed by a request to opt back in for twelve months (OS-6).
REPROMPT_DAYS = 365
ACTOR = "banner"
TEXTS = {
    "title": "Your privacy choices",
    "intro": "We use cookies that are needed for the site to work. With your consent we also use the "
    "cookies below. Reject all is as valid as accept all; you can change your mind at any time.",
    "accept": "Accept all",
    "reject": "Reject all",
    "choose": "Choose",
    "save": "Save choices",
    "reopen": "Privacy choices",
    "privacyLink": "Privacy notice",
    "gpcStatus": "Global Privacy Control signal detected and honoured: we do not sell or share your "
    "personal information, and sale/sharing cookies stay off.",
}
CSS = (
    "#privacyops-banner{position:fixed;left:1rem;right:1rem;bottom:1rem;max-width:40rem;margin:auto;"
    "background:#fff;color:#111;border:1px solid #888;border-radius:.5rem;padding:1rem;font:15px/1.4 "
    "system-ui,sans-serif;box-shadow:0 2px 12px #0004;z-index:2147483647}"
    "#privacyops-banner .po-title{font-weight:600;margin:0 0 .5rem}"
    "#privacyops-banner .po-status{background:#eef6ee;padding:.4rem;border-radius:.3rem}"
    "#privacyops-banner .po-buttons button,#privacyops-banner [data-action=save]{"
    "margin:.25rem .5rem .25rem 0;"
    "padding:.5rem 1rem;font:inherit;border:1px solid #222;border-radius:.3rem;background:#fff;color:#111}"
    "#privacyops-banner label{display:block;margin:.3rem 0}"
    "#privacyops-reopen{position:fixed;left:1rem;bottom:1rem;font:13px system-ui,sans-serif;"
    "z-index:2147483646}"
)


def categories(manifest: Manifest) -> list[tuple[str, cpurposes.PurposeInfo]]:
    """Return the cookie categories the banner offers (all but the strictly necessary), by short name."""
    return [
        (info.name.removeprefix(cpurposes.COOKIE_PREFIX), info)
        for info in cpurposes.catalog(manifest).purposes.values()
        if info.name.startswith(cpurposes.COOKIE_PREFIX) and info.consent_required
    ]


def config(manifest: Manifest, *, endpoint: str, privacy_url: str) -> dict[str, object]:
    """Return what the script needs: categories with their texts, notice version, signals policy."""
    offered = [
        {"id": name, "title": info.title, "text": info.text, "saleShare": info.sale_share}
        for name, info in categories(manifest)
    ]
    return {
        "endpoint": endpoint,
        "privacyUrl": privacy_url,
        "noticeVersion": manifest.notice.version or "",
        "categories": offered,
        "gpcHonoured": manifest.signals.gpc.honoured,
        "dntHonoured": manifest.signals.dnt.honoured,
        "repromptDays": REPROMPT_DAYS,
        "cookieName": COOKIE_NAME,
        "texts": TEXTS,
        "css": CSS,
    }


def script(manifest: Manifest, *, endpoint: str, privacy_url: str) -> str:
    """Return the banner script with its configuration in front."""
    settings = json.dumps(config(manifest, endpoint=endpoint, privacy_url=privacy_url), separators=(",", ":"))
    # "</" cannot end an inline <script> early when a host page inlines the file.
    safe = settings.replace("</", "<\\/")
    return f"window.PrivacyopsConsentConfig={safe};\n{SCRIPT.read_text()}"


@dataclass(frozen=True)
class Choice:
    """What the banner sent, with the signals the request carried."""

    notice_version: str | None
    choices: Mapping[str, bool]
    gpc_page: bool = False
    gpc_header: bool = False
    dnt_header: bool = False
    # The signed-in account the host page named, whose sale/share opt-out follows the signal (OS-2).
    account: Subject | None = None


@dataclass
class Recorded:
    """The effective choice per category, which signals counted, and the receipts written."""

    choices: dict[str, bool] = field(default_factory=dict)
    gpc_honoured: bool = False
    dnt_honoured: bool = False
    receipts: list[str] = field(default_factory=list)


def record_choice(
    session: Session, manifest: Manifest, subject: Subject, choice: Choice, *, now: datetime
) -> Recorded:
    """Record a banner choice (validated whole before anything is written); the caller commits."""
    catalog = cpurposes.catalog(manifest)
    infos = {name: _category(catalog, name) for name in choice.choices}
    if not (choice.notice_version or "").strip():
        raise ConsentRuleError(
            "send the notice version the banner showed (notice_version)", field="notice_version"
        )
    done = Recorded(
        gpc_honoured=signals.honoured_gpc(manifest, header=choice.gpc_header, page=choice.gpc_page),
        dnt_honoured=signals.honoured_dnt(manifest, header=choice.dnt_header),
    )
    signalled = [n for n, on in (("gpc", done.gpc_honoured), ("dnt", done.dnt_honoured)) if on]
    for who in (subject, choice.account):
        if who is not None:
            done.receipts += _record_signals(session, catalog, who, signalled, choice, now)
    current = ledger.states(session, subject)
    opted_out = done.gpc_honoured or done.dnt_honoured
    for name, info in infos.items():
        granted = bool(choice.choices[name]) and not (opted_out and info.sale_share)
        done.choices[name] = granted
        if not _same(current, info.name, granted, catalog):
            done.receipts.append(_write(session, catalog, subject, info.name, granted, choice, now))
    return done


def _record_signals(
    session: Session,
    catalog: cpurposes.Catalog,
    subject: Subject,
    signalled: list[str],
    choice: Choice,
    now: datetime,
) -> list[str]:
    written = []
    for name in signalled:
        if not _same(
            ledger.states(session, subject, [cpurposes.SALE_SHARE]), cpurposes.SALE_SHARE, False, catalog
        ):
            method = "gpc" if name == "gpc" else "banner"
            written.append(
                _write(
                    session,
                    catalog,
                    subject,
                    cpurposes.SALE_SHARE,
                    False,
                    choice,
                    now,
                    kind="signal",
                    signal=name,
                    method=method,
                )
            )
    return written


def _category(catalog: cpurposes.Catalog, name: str) -> cpurposes.PurposeInfo:
    info = catalog.purposes.get(f"{cpurposes.COOKIE_PREFIX}{name}")
    if info is None or not info.consent_required:
        offered = ", ".join(
            p.name.removeprefix(cpurposes.COOKIE_PREFIX)
            for p in catalog.purposes.values()
            if p.name.startswith(cpurposes.COOKIE_PREFIX) and p.consent_required
        )
        raise ConsentRuleError(
            f"unknown cookie category {name!r}; the banner offers: {offered}", field=f"choices.{name}"
        )
    return info


def _same(
    current: Mapping[tuple[str, str], ConsentState], purpose: str, granted: bool, catalog: cpurposes.Catalog
) -> bool:
    state = current.get((purpose, ""))
    return (
        state is not None
        and state.granted == granted
        and state.purpose_hash == catalog.purposes[purpose].definition_hash
    )


def _write(
    session: Session,
    catalog: cpurposes.Catalog,
    subject: Subject,
    purpose: str,
    granted: bool,
    choice: Choice,
    now: datetime,
    *,
    kind: str = "consent",
    signal: str | None = None,
    method: str = "banner",
) -> str:
    entry = ledger.Entry(
        purpose=purpose,
        granted=granted,
        notice_version=choice.notice_version,
        method=method,
        channel="web",
        kind=kind,
        signal=signal,
    )
    return ledger.record(session, catalog, subject, entry, actor=ACTOR, now=now).receipt_id
