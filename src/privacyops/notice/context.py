"""The facts a notice states, gathered from the manifest into plain values the templates print."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from privacyops.manifest import schema
from privacyops.notice import labels
from privacyops.notice.sections import SECTIONS, Section
from privacyops.reports import ccpa, inventory, ropa


@dataclass(frozen=True)
class CategoryView:
    """A data category as the notice lists it."""

    key: str
    name: str
    description: str
    examples: tuple[str, ...]
    sensitive: bool | str
    purposes: tuple[str, ...] = ()


@dataclass(frozen=True)
class PurposeView:
    """A purpose with its legal grounds in words."""

    key: str
    name: str
    description: str
    categories: tuple[str, ...]
    bases: tuple[str, ...]
    withdrawal: tuple[str, ...]

    @property
    def canada(self) -> str:
        """Return the Canadian ground of the purpose in words, or an empty string."""
        return "; ".join(b.removeprefix("PIPEDA: ") for b in self.bases if b.startswith("PIPEDA: "))


@dataclass(frozen=True)
class BasisView:
    """A GDPR legal basis in use, what it means and which purposes rest on it."""

    key: str
    name: str
    article: str
    explanation: str
    purposes: tuple[str, ...]
    interests: tuple[str, ...] = ()


@dataclass(frozen=True)
class RecipientView:
    """A subprocessor as the sharing section lists it."""

    name: str
    legal_entity: str
    description: str
    country: str
    transfer: str
    categories: tuple[str, ...]
    privacy_policy_url: str


@dataclass(frozen=True)
class RegionView:
    """A region's rights and how fast requests are answered there."""

    key: str
    name: str
    law: str
    rights: tuple[str, ...]
    deadline: str
    extension: str
    special_deadlines: tuple[str, ...]
    authority_name: str
    authority_url: str


@dataclass(frozen=True)
class NoticeContext:
    """Everything the templates need; built once per rendering."""

    manifest: schema.Manifest
    sections: tuple[Section, ...]
    last_updated: dt.date
    collected_by_source: dict[str, list[CategoryView]]
    sensitive: list[CategoryView]
    purposes: list[PurposeView]
    gdpr_bases: list[BasisView]
    gdpr_regions: list[str]
    gdpr_laws: list[str]
    canada_regions: list[str]
    canada_purposes: list[PurposeView]
    processor_data: list[str]
    recipient_groups: dict[str, list[RecipientView]]
    cookies_by_category: dict[str, list[schema.Cookie]]
    social_logins: list[tuple[str, list[str]]]
    retention_rules: list[str]
    regions: list[RegionView]
    withdrawal_paths: list[str]
    unsubscribe: bool
    ccpa_rows: list[ccpa.CcpaRow]
    disclosures: ccpa.CcpaDisclosures
    third_party_sources: list[str] = field(default_factory=list)
    billing_providers: list[str] = field(default_factory=list)
    holds: list[tuple[str, schema.LegalHold]] = field(default_factory=list)

    @property
    def collected_names(self) -> list[str]:
        """Return the names of the collected categories, each once, in the manifest's order."""
        names = [c.name for views in self.collected_by_source.values() for c in views]
        return list(dict.fromkeys(names))

    @property
    def sensitive_yes(self) -> list[CategoryView]:
        """Return the categories that are always sensitive."""
        return [c for c in self.sensitive if c.sensitive is True]

    @property
    def sensitive_maybe(self) -> list[CategoryView]:
        """Return the categories that may carry sensitive information, such as free-text content."""
        return [c for c in self.sensitive if c.sensitive == "maybe"]


def build(manifest: schema.Manifest) -> NoticeContext:
    """Gather the notice's facts from the manifest."""
    purposes = [_purpose(manifest, key, p) for key, p in manifest.purposes.items()]
    collected = [_category(manifest, key) for key in inventory.collected_keys(manifest)]
    consent_paths = [path for p in manifest.purposes.values() if p.consent_required for path in p.withdrawal]
    return NoticeContext(
        manifest=manifest,
        sections=SECTIONS,
        last_updated=manifest.notice.last_updated,
        collected_by_source=_by_source(manifest, collected),
        sensitive=[c for c in collected if c.sensitive],
        purposes=purposes,
        gdpr_bases=_gdpr_bases(manifest),
        gdpr_regions=[r.name for r in manifest.regions.values() if r.basis_regime == "gdpr"],
        gdpr_laws=list(dict.fromkeys(r.law for r in manifest.regions.values() if r.basis_regime == "gdpr")),
        canada_regions=[r.name for r in manifest.regions.values() if r.basis_regime == "pipeda"],
        canada_purposes=[p for p in purposes if manifest.purposes[p.key].basis.pipeda],
        processor_data=_processor_data(manifest),
        recipient_groups=_recipient_groups(manifest),
        cookies_by_category=_cookies(manifest),
        social_logins=[(s.name, [inventory.category_label(manifest, c) for c in s.categories])
                       for s in manifest.social_logins],
        retention_rules=[_rule(manifest, r) for r in manifest.retention.rules],
        regions=[_region(key, r) for key, r in manifest.regions.items()],
        withdrawal_paths=[labels.label(labels.WITHDRAWAL_PATHS, p) for p in dict.fromkeys(consent_paths)],
        unsubscribe=any("unsubscribe_link" in p.withdrawal for p in manifest.purposes.values()),
        ccpa_rows=ccpa.ccpa_table(manifest),
        disclosures=ccpa.ccpa_disclosures(manifest),
        third_party_sources=_third_party_sources(manifest, collected),
        billing_providers=[s.name for s in manifest.subprocessors if s.service == "invoice_and_billing"],
        holds=list({(h.reason, h.period): ("", h) for _, h in inventory.holds_on(
            manifest, manifest.data_categories)}.values()),
    )


def _processor_data(manifest: schema.Manifest) -> list[str]:
    """Return the names of the categories held in tables we run as a processor for customers."""
    keys: set[str] = set()
    for system in manifest.systems.values():
        for table in system.tables.values():
            if (table.role or system.role) == "processor":
                keys |= table.categories()
    return [inventory.category_label(manifest, k) for k in manifest.data_categories if k in keys]


def _category(manifest: schema.Manifest, key: str) -> CategoryView:
    c = manifest.data_categories[key]
    purposes = tuple(manifest.purposes[p].name for p in inventory.purposes_using(manifest, [key]))
    return CategoryView(key, c.name, c.description or "", c.examples, c.sensitive, purposes)


def _by_source(manifest: schema.Manifest, collected: list[CategoryView]) -> dict[str, list[CategoryView]]:
    groups: dict[str, list[CategoryView]] = {source: [] for source in labels.SOURCES}
    for view in collected:
        for source in manifest.data_categories[view.key].source:
            groups.setdefault(source, []).append(view)
    return {source: views for source, views in groups.items() if views}


def _third_party_sources(manifest: schema.Manifest, collected: list[CategoryView]) -> list[str]:
    names = [s.name for s in manifest.social_logins]
    if any("third_party" in manifest.data_categories[c.key].source for c in collected):
        names.append("other companies")
    return names


def _purpose(manifest: schema.Manifest, key: str, p: schema.Purpose) -> PurposeView:
    return PurposeView(
        key=key,
        name=p.name,
        description=p.description or "",
        categories=tuple(inventory.category_label(manifest, c) for c in p.categories),
        bases=tuple(ropa.legal_basis_lines(manifest, p)),
        withdrawal=tuple(labels.label(labels.WITHDRAWAL_PATHS, w) for w in p.withdrawal),
    )


def _gdpr_bases(manifest: schema.Manifest) -> list[BasisView]:
    found: dict[str, list[schema.Purpose]] = {}
    for purpose in manifest.purposes.values():
        if purpose.basis.gdpr:
            found.setdefault(purpose.basis.gdpr, []).append(purpose)
    order = list(labels.GDPR_BASES)
    return [
        BasisView(
            key=basis,
            name=labels.label(labels.GDPR_BASES, basis),
            article=labels.GDPR_ARTICLES.get(basis, ""),
            explanation=labels.GDPR_BASIS_EXPLAINED.get(basis, ""),
            purposes=tuple(p.name for p in purposes),
            interests=tuple(dict.fromkeys(p.legitimate_interest for p in purposes if p.legitimate_interest)),
        )
        for basis, purposes in sorted(found.items(), key=lambda item: order.index(item[0]))
    ]


def _recipient_groups(manifest: schema.Manifest) -> dict[str, list[RecipientView]]:
    return {
        labels.label(labels.SERVICE_CATEGORIES, service): [
            RecipientView(
                name=s.name,
                legal_entity=s.legal_entity or "",
                description=s.description or "",
                country=s.country,
                transfer=labels.label(labels.TRANSFER_MECHANISMS, s.transfer),
                categories=tuple(inventory.category_label(manifest, c) for c in s.categories),
                privacy_policy_url=s.privacy_policy_url or "",
            )
            for s in subs
        ]
        for service, subs in manifest.subprocessors_by_service().items()
    }


def _cookies(manifest: schema.Manifest) -> dict[str, list[schema.Cookie]]:
    groups: dict[str, list[schema.Cookie]] = {}
    for cookie in manifest.cookies:
        groups.setdefault(labels.label(labels.COOKIE_CATEGORIES, cookie.category), []).append(cookie)
    return groups


def _rule(manifest: schema.Manifest, rule: schema.RetentionRule) -> str:
    covered = inventory.rule_categories(manifest, rule)
    if covered >= manifest.collected_categories():
        what = "All personal information we hold about you"
    else:
        names = [inventory.category_label(manifest, c) for c in manifest.data_categories if c in covered]
        what = labels.human_list(names) or "The data concerned"
    action = labels.label(labels.RETENTION_ACTIONS, rule.action)
    trigger = labels.label(labels.RETENTION_TRIGGERS, rule.trigger)
    text = rule.description or ""
    summary = f"{what}: {action} at the latest {labels.duration(rule.period)} {trigger}"
    return f"{summary}. {text}".strip() if text else summary


def _region(key: str, region: schema.Region) -> RegionView:
    special = tuple(
        f"{labels.label(labels.RIGHTS, right)}: {period.describe()}"
        for right, period in region.right_deadlines.items()
    )
    return RegionView(
        key=key,
        name=region.name,
        law=region.law,
        rights=tuple(labels.label(labels.RIGHTS, r) for r in region.rights),
        deadline=region.deadline.describe(),
        extension=region.extension.describe() if region.extension else "",
        special_deadlines=special,
        authority_name=region.authority.name if region.authority else "",
        authority_url=(region.authority.url or "") if region.authority else "",
    )
