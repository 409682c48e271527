"""What can be decided, read from the manifest: its purposes, its cookie categories and sale/share.

A manifest purpose keeps its legal basis; a non-essential cookie category (``cookies.analytics``...) is
consent-based (ePrivacy 5(3)). ``sale_share`` is the opt-out right of US state laws that a GPC signal
exercises; purposes that sell or share data (advertising uses, targeting and marketing cookies) are
denied while it is withdrawn. Each purpose has a text (what a subject is shown when asked) and a hash of
its definition: when a new manifest changes a consent purpose, receipts under the old hash are stale.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from privacyops.consent.errors import UnknownPurpose
from privacyops.manifest.schema import Cookie, Manifest, Purpose

COOKIE_PREFIX = "cookies."
NECESSARY = "necessary"
SALE_SHARE = "sale_share"
MINOR = "minor"
AGE_ATTESTATION = "age_attestation"
# Uses whose processing sells or shares data for cross-context advertising (fideslang data uses).
SALE_SHARE_USES = ("marketing.advertising", "third_party_sharing", "personalize.profiling")
SALE_SHARE_COOKIES = frozenset({"targeting", "marketing"})
# Kept with its manifest so the id cannot be reused by another object while cached.
_CACHE: dict[int, tuple[Manifest, Catalog]] = {}
COOKIE_TITLES = {
    "necessary": "Strictly necessary",
    "functional": "Functional",
    "analytics": "Analytics",
    "marketing": "Marketing",
    "targeting": "Targeting",
}


@dataclass(frozen=True)
class PurposeInfo:
    """One decidable purpose: its basis, whether it needs consent, whether it sells or shares data."""

    name: str
    title: str
    basis: str
    consent_required: bool
    sale_share: bool
    marketing: bool
    text: str
    definition_hash: str
    purpose: Purpose | None = None


@dataclass(frozen=True)
class Catalog:
    """Every decidable purpose of one manifest, by name."""

    purposes: dict[str, PurposeInfo]
    notice_version: str | None

    def get(self, name: str, *, field: str = "purpose") -> PurposeInfo:
        """Return a purpose, or raise :class:`UnknownPurpose` listing the known names."""
        found = self.purposes.get(name)
        if found is None:
            known = ", ".join(self.purposes)
            raise UnknownPurpose(f"unknown purpose {name!r}; the manifest declares: {known}", field=field)
        return found

    def recordable(self, name: str, kind: str) -> PurposeInfo:
        """Return what a receipt of this kind may be about: a purpose, or a fact such as the minor flag."""
        fact = FACTS.get(name)
        if fact is not None and FACT_KINDS[name] == kind:
            return fact
        if kind in ("flag", "attestation"):
            names = ", ".join(n for n, k in FACT_KINDS.items() if k == kind)
            raise UnknownPurpose(f"a {kind} receipt is about one of: {names}", field="purpose")
        return self.get(name)

    def consent_purposes(self) -> list[PurposeInfo]:
        """Return the purposes a subject can grant or withdraw."""
        return [p for p in self.purposes.values() if p.consent_required]


def catalog(manifest: Manifest) -> Catalog:
    """Return the catalog of a manifest (cached per manifest object: manifests are immutable)."""
    cached = _CACHE.get(id(manifest))
    if cached is not None and cached[0] is manifest:
        return cached[1]
    built = _catalog(manifest)
    if len(_CACHE) >= 8:
        _CACHE.clear()
    _CACHE[id(manifest)] = (manifest, built)
    return built


def _catalog(manifest: Manifest) -> Catalog:
    found = {name: _from_purpose(name, p) for name, p in manifest.purposes.items()}
    for category, cookies in _cookie_categories(manifest).items():
        info = _from_cookies(category, cookies)
        found[info.name] = info
    if any(p.sale_share for p in found.values()) or manifest.signals.gpc.honoured:
        found[SALE_SHARE] = PurposeInfo(
            SALE_SHARE,
            "Sale or sharing of personal information",
            "opt_out",
            False,
            False,
            False,
            "Sale or sharing of personal information for cross-context behavioural advertising.",
            _digest({"purpose": SALE_SHARE}),
        )
    return Catalog(found, manifest.notice.version)


def _from_purpose(name: str, purpose: Purpose) -> PurposeInfo:
    use = purpose.data_use
    text = purpose.name + (f": {purpose.description}" if purpose.description else "")
    definition = {
        "name": purpose.name,
        "description": purpose.description,
        "categories": purpose.categories,
        "data_use": use,
        "basis": purpose.basis.model_dump(mode="json"),
    }
    return PurposeInfo(
        name,
        purpose.name,
        purpose.basis.gdpr or "unstated",
        purpose.consent_required,
        use.startswith(SALE_SHARE_USES),
        use.startswith("marketing"),
        text,
        _digest(definition),
        purpose,
    )


def _cookie_categories(manifest: Manifest) -> dict[str, list[Cookie]]:
    grouped: dict[str, list[Cookie]] = {}
    for cookie in manifest.cookies:
        grouped.setdefault(cookie.category, []).append(cookie)
    return grouped


def _from_cookies(category: str, cookies: list[Cookie]) -> PurposeInfo:
    title = f"{COOKIE_TITLES.get(category, category.title())} cookies"
    lines = "; ".join(
        f"{c.name} ({c.provider}, {c.duration}): {c.purpose or 'no purpose stated'}" for c in cookies
    )
    necessary = category == NECESSARY
    return PurposeInfo(
        f"{COOKIE_PREFIX}{category}",
        title,
        "exempt" if necessary else "consent",
        not necessary,
        category in SALE_SHARE_COOKIES,
        category == "marketing",
        f"{title}: {lines}.",
        _digest([c.model_dump(mode="json") for c in cookies]),
    )


def _digest(value: object) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()


def text_hash(text: str) -> str:
    """Return the SHA-256 of the exact text shown to the subject."""
    return hashlib.sha256(text.encode()).hexdigest()


def _fact(name: str, title: str, text: str) -> PurposeInfo:
    return PurposeInfo(name, title, "fact", False, False, False, text, _digest({"fact": name}))


# Facts about a subject recorded in the ledger, not purposes: the 18+ attestation at sign-up (MN-1) and
# the flag of a known minor (MN-2), with the kind of receipt each is.
FACTS = {
    AGE_ATTESTATION: _fact(
        AGE_ATTESTATION, "Age attestation", "I confirm that I am at least the minimum age."
    ),
    MINOR: _fact(MINOR, "Known minor", "The subject is known to be under the minimum age."),
}
FACT_KINDS = {AGE_ATTESTATION: "attestation", MINOR: "flag"}
