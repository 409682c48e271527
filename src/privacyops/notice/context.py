"""The facts a notice states, gathered from the manifest into plain values the templates print.

Each value keeps the manifest key it comes from, so a traced rendering can mark every statement with
its source (see privacyops.notice.trace). Nothing here fills a gap with a default: what the manifest
does not declare, the notice does not state.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from privacyops.manifest import schema
from privacyops.manifest.declared import declared, parse_path
from privacyops.manifest.regions import is_us
from privacyops.notice import labels, trace
from privacyops.notice.sections import Section, outline
from privacyops.notice.views import (
    BasisView,
    CategoryView,
    PurposeView,
    RecipientView,
    RegionView,
    Traced,
)
from privacyops.reports import ccpa, inventory, ropa


@dataclass(frozen=True)
class NoticeContext:
    """Everything the templates need; built once per rendering."""

    manifest: schema.Manifest
    sections: tuple[Section, ...]
    last_updated: dt.date | None
    collected_by_source: dict[str, list[CategoryView]]
    sensitive: list[CategoryView]
    purposes: list[PurposeView]
    gdpr_bases: list[BasisView]
    gdpr_regions: list[RegionView]
    canada_regions: list[RegionView]
    canada_purposes: list[PurposeView]
    processor_data: list[CategoryView]
    recipient_groups: dict[str, list[RecipientView]]
    other_recipients: dict[str, list[RecipientView]]
    cookies_by_category: dict[str, list[tuple[str, schema.Cookie]]]
    social_logins: list[tuple[str, list[str], str]]
    retention: list[Traced]
    regions: list[RegionView]
    us_regions: list[RegionView]
    withdrawal_paths: list[Traced]
    unsubscribe: list[str]
    ccpa_rows: list[ccpa.CcpaRow]
    disclosures: ccpa.CcpaDisclosures
    third_party_categories: list[CategoryView] = field(default_factory=list)
    billing_providers: list[RecipientView] = field(default_factory=list)
    holds: list[tuple[str, schema.LegalHold]] = field(default_factory=list)
    trace: bool = False

    def t(self, *paths: object) -> str:
        """Return the trace marker of the given key paths (empty unless tracing)."""
        return trace.marker(self.trace, paths)

    def declared(self, path: str) -> bool:
        """Return whether the manifest states the key at `path` (a/b/c) itself."""
        return declared(self.manifest, parse_path(path))

    def has(self, anchor: str) -> bool:
        """Return whether the notice has the section with this anchor."""
        return any(s.anchor == anchor for s in self.sections)

    def ref(self, anchor: str) -> str:
        """Return a link to a section by its printed number, e.g. '[section 5](#cookies)'."""
        section = next((s for s in self.sections if s.anchor == anchor), None)
        return f"[section {section.number}](#{anchor})" if section else ""

    def see(self, anchor: str) -> str:
        """Return ' (see section N)' linking to a section, or nothing when the notice lacks it."""
        link = self.ref(anchor)
        return f" (see {link})" if link else ""

    @property
    def retention_rules(self) -> list[str]:
        """Return the retention statements as plain lines."""
        return [item.text for item in self.retention]

    @property
    def collected_names(self) -> list[str]:
        """Return the names of the collected categories, each once, in the manifest's order."""
        names = [c.name for views in self.collected_by_source.values() for c in views]
        return list(dict.fromkeys(names))

    @property
    def collected_paths(self) -> list[str]:
        """Return the trace paths of the collected categories, each once."""
        return list(dict.fromkeys(c.path for views in self.collected_by_source.values() for c in views))

    @property
    def sensitive_yes(self) -> list[CategoryView]:
        """Return the categories that are always sensitive."""
        return [c for c in self.sensitive if c.sensitive is True]

    @property
    def sensitive_maybe(self) -> list[CategoryView]:
        """Return the categories that may carry sensitive information, such as free-text content."""
        return [c for c in self.sensitive if c.sensitive == "maybe"]

    @property
    def ccpa_k_collected(self) -> bool:
        """Return whether the US table marks K (sensitive personal information) as collected."""
        return bool(self.us_regions) and any(r.letter == "K" and r.collected for r in self.ccpa_rows)


def build(
    manifest: schema.Manifest,
    *,
    trace_keys: bool = False,
    recorded: Sequence[ccpa.RecordedDisclosure] = (),
    as_of: dt.date | None = None,
) -> NoticeContext:
    """Gather the notice's facts from the manifest; `trace_keys` makes `t()` print markers.

    `recorded` are the disclosures of the ledger (privacyops.lifecycle.disclosures) and `as_of` the day
    the twelve-month CCPA statements end on (default: the notice's own date).
    """
    purposes = [_purpose(manifest, key, p) for key, p in manifest.purposes.items()]
    collected = [_category(manifest, key) for key in inventory.collected_keys(manifest)]
    regions = [_region(key, r) for key, r in manifest.regions.items()]
    us = [view for view, r in zip(regions, manifest.regions.values(), strict=True) if is_us(r)]
    ctx = NoticeContext(
        manifest=manifest,
        sections=(),
        last_updated=manifest.notice.last_updated,
        collected_by_source=_by_source(manifest, collected),
        sensitive=[c for c in collected if c.sensitive],
        purposes=purposes,
        gdpr_bases=_gdpr_bases(manifest),
        gdpr_regions=[v for v, r in zip(regions, manifest.regions.values(), strict=True)
                      if r.basis_regime == "gdpr"],
        canada_regions=[v for v, r in zip(regions, manifest.regions.values(), strict=True)
                        if r.basis_regime == "pipeda"],
        canada_purposes=[p for p in purposes if manifest.purposes[p.key].basis.pipeda],
        processor_data=_processor_data(manifest, collected),
        recipient_groups=_recipient_groups(manifest),
        other_recipients=_other_recipients(manifest),
        cookies_by_category=_cookies(manifest),
        social_logins=[(s.name, [inventory.category_label(manifest, c) for c in s.categories],
                        f"social_logins/{i}") for i, s in enumerate(manifest.social_logins)],
        retention=[Traced(_rule(manifest, r), f"retention/rules/{i}")
                   for i, r in enumerate(manifest.retention.rules)],
        regions=regions,
        us_regions=us,
        withdrawal_paths=_withdrawal(manifest),
        unsubscribe=[f"purposes/{k}/withdrawal" for k, p in manifest.purposes.items()
                     if "unsubscribe_link" in p.withdrawal],
        ccpa_rows=ccpa.ccpa_table(manifest),
        disclosures=ccpa.ccpa_disclosures(manifest, recorded, as_of),
        third_party_categories=[c for c in collected
                                if "third_party" in manifest.data_categories[c.key].source
                                and declared(manifest, ("data_categories", c.key, "source"))],
        billing_providers=[v for s, v in zip(manifest.subprocessors, _recipient_views(manifest), strict=True)
                           if s.service == "invoice_and_billing"],
        holds=list({(h.reason, h.period): (_hold_path(where), h) for where, h in inventory.holds_on(
            manifest, manifest.data_categories)}.values()),
        trace=trace_keys,
    )
    return _with_sections(ctx)


def _with_sections(ctx: NoticeContext) -> NoticeContext:
    present = {anchor for anchor, shown in _presence(ctx).items() if shown}
    free = [(f.title, f.before) for f in ctx.manifest.free_text]
    return replace(ctx, sections=outline(present, free))


def _presence(ctx: NoticeContext) -> dict[str, bool]:
    m = ctx.manifest
    return {
        "information-we-collect": True,
        "how-we-use-information": True,
        "legal-bases": bool(ctx.gdpr_bases or ctx.canada_purposes or ctx.processor_data),
        "sharing": any(ctx.declared(k) for k in ("subprocessors", "recipients", "business_transfers")),
        "cookies": ctx.declared("cookies"),
        "social-logins": ctx.declared("social_logins"),
        "retention": bool(m.retention.rules or ctx.holds or ctx.declared("retention/backups")),
        "security": bool(m.security_measures),
        "minors": m.minors is not None,
        "your-rights": True,
        "do-not-track": ctx.declared("signals/dnt") or ctx.declared("signals/gpc"),
        "united-states": bool(ctx.us_regions),
        "updates": any(ctx.declared(f"notice/{k}") for k in ("last_updated", "change_notification", "url")),
        "contact": True,
        "review-update-delete": True,
    }


def _hold_path(where: str) -> str:
    """Return the trace path of a hold found at `system.table` or `system.table.field`."""
    system, table, *field_name = where.split(".", 2)
    base = f"systems/{system}/tables/{table}"
    return f"{base}/fields/{field_name[0]}/hold" if field_name else f"{base}/hold"


def _processor_data(manifest: schema.Manifest, collected: list[CategoryView]) -> list[CategoryView]:
    """Return the categories held in tables we run as a processor for customers."""
    keys: set[str] = set()
    for system in manifest.systems.values():
        for table in system.tables.values():
            if (table.role or system.role) == "processor":
                keys |= table.categories()
    return [c for c in collected if c.key in keys]


def _category(manifest: schema.Manifest, key: str) -> CategoryView:
    c = manifest.data_categories[key]
    purposes = tuple(manifest.purposes[p].name for p in inventory.purposes_using(manifest, [key]))
    return CategoryView(key, c.name, c.description or "", c.examples, c.sensitive, purposes, c.ccpa or "")


def _by_source(manifest: schema.Manifest, collected: list[CategoryView]) -> dict[str, list[CategoryView]]:
    # A category whose source is not declared is listed without saying where it comes from.
    groups: dict[str, list[CategoryView]] = {source: [] for source in (*labels.SOURCES, "unstated")}
    for view in collected:
        if not declared(manifest, ("data_categories", view.key, "source")):
            groups["unstated"].append(view)
            continue
        for source in manifest.data_categories[view.key].source:
            groups.setdefault(source, []).append(view)
    return {source: views for source, views in groups.items() if views}


def _purpose(manifest: schema.Manifest, key: str, p: schema.Purpose) -> PurposeView:
    return PurposeView(
        key=key,
        name=p.name,
        description=p.description or "",
        categories=tuple(inventory.category_label(manifest, c) for c in p.categories),
        bases=tuple(ropa.legal_basis_lines(manifest, p)),
        withdrawal=tuple(labels.label(labels.WITHDRAWAL_PATHS, w) for w in p.withdrawal),
    )


def _withdrawal(manifest: schema.Manifest) -> list[Traced]:
    found: dict[str, Traced] = {}
    for key, purpose in manifest.purposes.items():
        if purpose.consent_required:
            for way in purpose.withdrawal:
                found.setdefault(way, Traced(labels.label(labels.WITHDRAWAL_PATHS, way),
                                             f"purposes/{key}/withdrawal"))
    return list(found.values())


def _gdpr_bases(manifest: schema.Manifest) -> list[BasisView]:
    found: dict[str, list[tuple[str, schema.Purpose]]] = {}
    for key, purpose in manifest.purposes.items():
        for basis in dict.fromkeys(b for b in (purpose.basis.gdpr, *purpose.basis.gdpr_also) if b):
            found.setdefault(basis, []).append((key, purpose))
    order = list(labels.GDPR_BASES)
    return [
        BasisView(
            key=basis,
            name=labels.label(labels.GDPR_BASES, basis),
            article=labels.GDPR_ARTICLES.get(basis, ""),
            explanation=labels.GDPR_BASIS_EXPLAINED.get(basis, ""),
            purposes=tuple(p.name for _, p in purposes),
            interests=tuple(dict.fromkeys(p.legitimate_interest for _, p in purposes
                                          if p.legitimate_interest and basis == "legitimate_interests")),
            paths=tuple(f"purposes/{k}/basis" for k, _ in purposes),
        )
        for basis, purposes in sorted(found.items(), key=lambda item: order.index(item[0]))
    ]


def _view(manifest: schema.Manifest, path: str, item: schema.Subprocessor | schema.Recipient,
          entity: str | None) -> RecipientView:
    return RecipientView(
        path=path,
        name=item.name,
        legal_entity=entity or "",
        description=item.description or "",
        country=item.country or "",
        transfer=labels.label(labels.TRANSFER_MECHANISMS, item.transfer) if item.transfer else "",
        categories=tuple(inventory.category_label(manifest, c) for c in item.categories),
        privacy_policy_url=item.privacy_policy_url or "",
    )


def _recipient_views(manifest: schema.Manifest) -> list[RecipientView]:
    return [_view(manifest, f"subprocessors/{i}", s, s.legal_entity)
            for i, s in enumerate(manifest.subprocessors)]


def _recipient_groups(manifest: schema.Manifest) -> dict[str, list[RecipientView]]:
    groups: dict[str, list[RecipientView]] = {}
    for sub, view in zip(manifest.subprocessors, _recipient_views(manifest), strict=True):
        groups.setdefault(labels.label(labels.SERVICE_CATEGORIES, sub.service), []).append(view)
    return groups


def _other_recipients(manifest: schema.Manifest) -> dict[str, list[RecipientView]]:
    groups: dict[str, list[RecipientView]] = {}
    for i, item in enumerate(manifest.recipients):
        view = _view(manifest, f"recipients/{i}", item, None)
        groups.setdefault(labels.label(labels.RECIPIENT_KINDS, item.kind), []).append(view)
    return groups


def _cookies(manifest: schema.Manifest) -> dict[str, list[tuple[str, schema.Cookie]]]:
    groups: dict[str, list[tuple[str, schema.Cookie]]] = {}
    for i, cookie in enumerate(manifest.cookies):
        groups.setdefault(labels.label(labels.COOKIE_CATEGORIES, cookie.category), []).append(
            (f"cookies/{i}", cookie))
    return groups


def _rule(manifest: schema.Manifest, rule: schema.RetentionRule) -> str:
    covered = inventory.rule_categories(manifest, rule)
    if covered >= manifest.collected_categories():
        what = "All personal information we hold about you"
    else:
        names = [inventory.category_label(manifest, c) for c in manifest.data_categories if c in covered]
        what = labels.human_list(names) or "The data concerned"
    if rule.period is None:
        summary = f"{what}: kept {labels.open_ended(rule.trigger, rule.reason)}"
    else:
        action = labels.label(labels.RETENTION_ACTIONS, rule.action)
        trigger = labels.label(labels.RETENTION_TRIGGERS, rule.trigger)
        summary = f"{what}: {action} at the latest {labels.duration(rule.period)} {trigger}"
    text = rule.description or ""
    return f"{summary}. {text}".strip() if text else summary


def _region(key: str, region: schema.Region) -> RegionView:
    special = tuple(
        f"{labels.label(labels.RIGHTS, right)}: {period.describe()}"
        for right, period in region.right_deadlines.items()
    )
    rights = tuple(
        labels.label(labels.RIGHTS, r) + (f" ({region.conditions[r]})" if r in region.conditions else "")
        for r in region.rights
    )
    return RegionView(
        key=key,
        name=region.name,
        law=region.law,
        rights=rights,
        deadline=region.deadline.describe(),
        extension=region.extension.describe() if region.extension else "",
        special_deadlines=special,
        authority_name=region.authority.name if region.authority else "",
        authority_url=(region.authority.url or "") if region.authority else "",
    )
