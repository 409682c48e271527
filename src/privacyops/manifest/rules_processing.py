"""Lint rules about processing: legal bases, consent withdrawal, retention, sharing (CN-4 and others)."""

from __future__ import annotations

from collections.abc import Iterator

from privacyops.manifest.errors import Finding
from privacyops.manifest.rules_base import Context, names
from privacyops.manifest.schema import Manifest


def consent_without_withdrawal(ctx: Context) -> Iterator[Finding]:
    """Require a way to withdraw consent for every consent-based purpose."""
    for key, purpose in ctx.manifest.purposes.items():
        keeps_account = [p for p in purpose.withdrawal if p != "delete_account"]
        if purpose.consent_required and not keeps_account:
            yield ctx.finding(
                "error", "consent-without-withdrawal", ("purposes", key, "basis"),
                f"purpose `{key}` relies on consent but offers no way to withdraw it",
                f"add withdrawal: [preference_center, contact] (or unsubscribe_link) to purposes.{key}",
            )


def missing_basis(ctx: Context) -> Iterator[Finding]:
    """Require a legal basis for every purpose in each regime a declared region uses."""
    m = ctx.manifest
    regimes = {r.basis_regime: key for key, r in m.regions.items() if r.basis_regime}
    for key, purpose in m.purposes.items():
        for regime, region in sorted(regimes.items()):
            if purpose.basis.for_regime(regime) is None:
                yield ctx.finding(
                    "error", "purpose-without-basis", ("purposes", key, "basis"),
                    f"purpose `{key}` has no {regime} legal basis, which region `{region}` requires",
                    f"add basis.{regime} to purposes.{key}",
                )


def canada_basis(ctx: Context) -> Iterator[Finding]:
    """CN-4: Canadian processing cites consent or a declared s.7 exception; sensitive data needs express."""
    m = ctx.manifest
    if not any(r.basis_regime == "pipeda" for r in m.regions.values()):
        return
    for key, purpose in m.purposes.items():
        basis = purpose.basis.pipeda
        if basis is None:
            continue
        path = ("purposes", key, "basis", "pipeda")
        if basis.consent is None and basis.exception_ref is None:
            yield ctx.finding(
                "error", "canada-without-consent-or-exception", path,
                f"purpose `{key}` is processed in Canada without consent and without an s.7 exception",
                "set pipeda: {consent: express|implied} or "
                "pipeda: {exception_ref: <a canada_exceptions key>}",
            )
        sensitive = sorted(c for c in purpose.categories
                           if c in m.data_categories and m.data_categories[c].sensitive is not False)
        if basis.consent == "implied" and sensitive:
            yield ctx.finding(
                "warning", "canada-sensitive-implied-consent", path,
                f"purpose `{key}` relies on implied consent in Canada but uses possibly sensitive data: "
                f"{names(sensitive)}",
                "ask for express consent for sensitive data, or mark the categories sensitive: false",
            )


def legitimate_interest_undescribed(ctx: Context) -> Iterator[Finding]:
    """Require purposes on legitimate interests to state the interest pursued."""
    for key, purpose in ctx.manifest.purposes.items():
        if purpose.basis.gdpr == "legitimate_interests" and not purpose.legitimate_interest:
            yield ctx.finding(
                "warning", "legitimate-interest-undescribed", ("purposes", key, "basis", "gdpr"),
                f"purpose `{key}` relies on legitimate interests without saying which interest",
                f"add legitimate_interest: <the interest pursued> to purposes.{key}",
            )


def retained_categories(m: Manifest) -> set[str]:
    """Return the categories some retention rule covers, directly or through a system pattern."""
    covered: set[str] = set()
    for rule in m.retention.rules:
        for target in rule.data:
            if target in m.data_categories:
                covered.add(target)
                continue
            parts = target.split(".")
            system = m.systems.get(parts[0])
            if system is None:
                continue
            for table_name, table in system.tables.items():
                if len(parts) == 1 or parts[1] in ("*", table_name):
                    fields = [parts[2]] if len(parts) == 3 else list(table.fields)
                    covered |= {c for f in fields if f in table.fields for c in table.fields[f].categories}
    return covered


def retention_gaps(ctx: Context) -> Iterator[Finding]:
    """Flag collected categories that no retention rule covers."""
    m = ctx.manifest
    missing = sorted(m.collected_categories() - retained_categories(m))
    if missing:
        yield ctx.finding(
            "warning", "category-without-retention", ("retention", "rules"),
            f"no retention rule covers these collected categories: {names(missing)}",
            "add them to the data of a retention rule, or add a rule with a trigger and period for them",
        )


def shared_but_not_collected(ctx: Context) -> Iterator[Finding]:
    """Flag subprocessors that receive categories nothing collects."""
    m = ctx.manifest
    collected = m.collected_categories()
    for i, sub in enumerate(m.subprocessors):
        for j, category in enumerate(sub.categories):
            if category not in collected:
                yield ctx.finding(
                    "warning", "shared-category-not-collected", ("subprocessors", i, "categories", j),
                    f"subprocessor {sub.name} receives `{category}`, which no purpose, social login or "
                    "system collects",
                    "add the category to the purpose it serves, or remove it from the subprocessor",
                )


def disclosed_but_not_collected(ctx: Context) -> Iterator[Finding]:
    """Flag CCPA letters disclosed for a business purpose that nothing collected falls under."""
    m = ctx.manifest
    computed = m.ccpa_collected()
    for i, letter in enumerate(m.notice.ccpa_disclosures.business_purpose):
        if not computed[letter]:
            yield ctx.finding(
                "warning", "disclosed-category-not-collected",
                ("notice", "ccpa_disclosures", "business_purpose", i),
                f"CCPA category {letter} is listed as disclosed, but no collected category falls under it",
                f"remove {letter} from the disclosures or declare the data behind it",
            )


def deadline_for_unknown_right(ctx: Context) -> Iterator[Finding]:
    """Flag per-right deadlines for rights the region does not grant."""
    for key, region in ctx.manifest.regions.items():
        for right in region.right_deadlines:
            if right not in region.rights:
                yield ctx.finding(
                    "warning", "deadline-for-ungranted-right", ("regions", key, "right_deadlines", right),
                    f"region `{key}` sets a deadline for `{right}` but does not grant that right",
                    f"add `{right}` to regions.{key}.rights or remove the deadline",
                )


RULES = {
    "consent-without-withdrawal": consent_without_withdrawal,
    "purpose-without-basis": missing_basis,
    "canada-without-consent-or-exception": canada_basis,
    "legitimate-interest-undescribed": legitimate_interest_undescribed,
    "category-without-retention": retention_gaps,
    "shared-category-not-collected": shared_but_not_collected,
    "disclosed-category-not-collected": disclosed_but_not_collected,
    "deadline-for-ungranted-right": deadline_for_unknown_right,
}
