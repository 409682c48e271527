"""Records of processing activities (GDPR Art. 30, requirement RK-2), one activity per purpose."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import asdict, dataclass, fields

from privacyops.manifest import schema
from privacyops.notice import labels
from privacyops.reports import inventory, markdown

EEA_COUNTRIES = frozenset({
    "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT",
    "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE", "IS", "LI", "NO",
})


@dataclass(frozen=True)
class Activity:
    """One processing activity as Art. 30(1) asks it to be recorded; every field must be non-empty."""

    id: str
    purpose: str
    controller: str
    representative: str
    legal_basis: tuple[str, ...]
    data_subjects: tuple[str, ...]
    categories: tuple[str, ...]
    recipients: tuple[str, ...]
    transfers: tuple[str, ...]
    retention: tuple[str, ...]
    erasure_limits: tuple[str, ...]
    security_measures: tuple[str, ...]

    def missing_fields(self) -> list[str]:
        """Return the names of the fields left empty because the manifest does not state them."""
        return [f.name for f in fields(self) if not getattr(self, f.name)]


FIELD_TITLES: dict[str, str] = {
    "id": "Id",
    "purpose": "Purpose",
    "controller": "Controller",
    "representative": "Representative",
    "legal_basis": "Legal basis",
    "data_subjects": "Data subjects",
    "categories": "Categories of personal data",
    "recipients": "Recipients",
    "transfers": "Transfers to third countries",
    "retention": "Time limits for erasure",
    "erasure_limits": "Limits on erasure",
    "security_measures": "Security measures",
}


def records_of_processing(manifest: schema.Manifest) -> list[Activity]:
    """Return one activity per purpose of the manifest, in the manifest's order."""
    return [_activity(manifest, key, purpose) for key, purpose in manifest.purposes.items()]


def _activity(manifest: schema.Manifest, key: str, purpose: schema.Purpose) -> Activity:
    # TODO(manifest): a subprocessor states no purposes, so every provider that receives one of the
    # purpose's categories is listed as its recipient; a `purposes:` field would make this exact.
    recipients = inventory.recipients_of(manifest, purpose.categories)
    return Activity(
        id=key,
        purpose=f"{purpose.name}: {purpose.description}" if purpose.description else purpose.name,
        controller=_controller(manifest.controller),
        representative=_representative(manifest.controller),
        legal_basis=tuple(legal_basis_lines(manifest, purpose)),
        data_subjects=tuple(_subjects(manifest, purpose)),
        categories=tuple(f"{inventory.category_label(manifest, c)} ({c})" for c in purpose.categories),
        recipients=tuple(f"{s.name} ({labels.label(labels.SERVICE_CATEGORIES, s.service)}, {s.country})"
                         for s in recipients),
        transfers=tuple(_transfers(recipients)),
        retention=tuple(_retention(manifest, purpose)),
        erasure_limits=tuple(_erasure_limits(manifest, purpose)),
        security_measures=manifest.security_measures,
    )


def _controller(controller: schema.Controller) -> str:
    return f"{controller.legal_name}, {controller.address.one_line()}, {controller.email}"


def _representative(controller: schema.Controller) -> str:
    parts = []
    for role, person in (("EEA representative", controller.representative_eea),
                         ("UK representative", controller.representative_uk),
                         ("Data protection officer", controller.dpo)):
        if person is not None:
            contact = ", ".join(x for x in (person.email, person.phone) if x)
            parts.append(f"{role}: {person.name}" + (f" ({contact})" if contact else ""))
    return "; ".join(parts)


def legal_basis_lines(manifest: schema.Manifest, purpose: schema.Purpose) -> list[str]:
    """Return the purpose's legal basis per regime, in words, e.g. 'GDPR: Consent (Art. 6(1)(a))'."""
    lines = []
    if purpose.basis.gdpr:
        text = f"GDPR: {labels.label(labels.GDPR_BASES, purpose.basis.gdpr)} " \
               f"({labels.GDPR_ARTICLES.get(purpose.basis.gdpr, 'Art. 6(1)')})"
        if purpose.basis.gdpr == "legitimate_interests" and purpose.legitimate_interest:
            text += f", interest: {purpose.legitimate_interest}"
        lines.append(text)
    canada = purpose.basis.pipeda
    if canada is not None and canada.consent:
        lines.append(f"PIPEDA: {labels.label(labels.CANADA_CONSENT, canada.consent)}")
    elif canada is not None and canada.exception_ref:
        exception = manifest.canada_exceptions.get(canada.exception_ref)
        cited = f"{exception.citation}: {exception.text.rstrip('.')}" if exception else canada.exception_ref
        lines.append(f"PIPEDA: No consent needed ({cited})")
    return lines


def _subjects(manifest: schema.Manifest, purpose: schema.Purpose) -> list[str]:
    keys = purpose.subjects or tuple(manifest.data_subjects)
    return [manifest.data_subjects[k].name if k in manifest.data_subjects else k for k in keys]


def _transfers(recipients: list[schema.Subprocessor]) -> list[str]:
    abroad = [s for s in recipients if s.country.upper() not in EEA_COUNTRIES]
    if not abroad:
        return ["None: every recipient processes the data inside the EEA"]
    lines = [f"{s.name}: {s.country}, " + (labels.label(labels.TRANSFER_MECHANISMS, s.transfer)
                                             if s.transfer != "none" else "NO SAFEGUARD DECLARED")
             for s in abroad]
    return list(dict.fromkeys(lines))


def _retention(manifest: schema.Manifest, purpose: schema.Purpose) -> list[str]:
    lines = []
    for rule in manifest.retention.rules:
        if inventory.touches(inventory.rule_categories(manifest, rule), purpose.categories):
            action = labels.label(labels.RETENTION_ACTIONS, rule.action)
            trigger = labels.label(labels.RETENTION_TRIGGERS, rule.trigger)
            lines.append(f"{rule.name}: {action} {labels.duration(rule.period)} {trigger}")
    return lines


def _erasure_limits(manifest: schema.Manifest, purpose: schema.Purpose) -> list[str]:
    lines = [f"{where} kept under legal hold '{hold.name}' for {labels.duration(hold.period)}: {hold.reason}"
             for where, hold in inventory.holds_on(manifest, purpose.categories)]
    backups = manifest.retention.backups
    if backups.isolated_until_deletion:
        text = "Backups that cannot be erased at once are isolated from any processing until they are deleted"
        if backups.overwritten_after_days:
            text += f" (overwritten after {backups.overwritten_after_days} days)"
        lines.append(text)
    return lines


def to_json(activities: list[Activity]) -> str:
    """Return the records as a JSON array of objects."""
    return json.dumps([asdict(a) for a in activities], indent=2, ensure_ascii=False) + "\n"


def to_csv(activities: list[Activity]) -> str:
    """Return the records as CSV, one row per activity; list fields are joined with '; '."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(FIELD_TITLES.values())
    for activity in activities:
        writer.writerow([_flat(getattr(activity, name)) for name in FIELD_TITLES])
    return out.getvalue()


def to_markdown(activities: list[Activity], title: str = "Records of processing activities") -> str:
    """Return the records as markdown: one section per activity with a two-column table."""
    parts = [f"# {title}", ""]
    for activity in activities:
        rows = [(FIELD_TITLES[name], _flat(getattr(activity, name))) for name in FIELD_TITLES if name != "id"]
        parts += [f"## {activity.id}", "", markdown.table(("Field", "Record"), rows), ""]
    return "\n".join(parts)


def _flat(value: str | tuple[str, ...]) -> str:
    return value if isinstance(value, str) else "; ".join(value)
