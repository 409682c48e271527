"""Records of processing activities (GDPR Art. 30, requirement RK-2), one activity per purpose."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import asdict, dataclass, fields

from privacyops.manifest import schema
from privacyops.manifest.declared import declared
from privacyops.manifest.regions import home_countries
from privacyops.notice import labels
from privacyops.reports import inventory, markdown

Receiver = schema.Subprocessor | schema.Recipient
# The law asks for a data protection officer only in some cases (Art. 37): the row says none is declared.
NO_DPO = "None declared (controller.dpo)"


@dataclass(frozen=True)
class Activity:
    """One processing activity as Art. 30(1) asks it to be recorded; every field must be non-empty."""

    id: str
    purpose: str
    controller: str
    representative: str
    dpo: str
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
    "dpo": "Data protection officer",
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
    recipients = receivers_of(manifest, key)
    return Activity(
        id=key,
        purpose=f"{purpose.name}: {purpose.description}" if purpose.description else purpose.name,
        controller=_controller(manifest.controller),
        representative=_representative(manifest.controller),
        dpo=_person("Data protection officer", manifest.controller.dpo) or NO_DPO,
        legal_basis=tuple(legal_basis_lines(manifest, purpose)),
        data_subjects=tuple(_subjects(manifest, purpose)),
        categories=tuple(f"{inventory.category_label(manifest, c)} ({c})" for c in purpose.categories),
        recipients=tuple(_recipient_lines(manifest, recipients)),
        transfers=tuple(_transfers(manifest, recipients)),
        retention=tuple(_retention(manifest, purpose)),
        erasure_limits=tuple(_erasure_limits(manifest, purpose)),
        security_measures=manifest.security_measures,
    )


def receivers_of(manifest: schema.Manifest, purpose: str) -> list[Receiver]:
    """Return the subprocessors and other recipients linked to a purpose by their `purposes:` list."""
    everyone: list[Receiver] = [*manifest.subprocessors, *manifest.recipients]
    return [r for r in everyone if purpose in r.purposes]


def links_complete(manifest: schema.Manifest) -> bool:
    """Return whether recipients are declared and every one names its purposes."""
    stated = declared(manifest, ("subprocessors",)) or declared(manifest, ("recipients",))
    everyone: list[Receiver] = [*manifest.subprocessors, *manifest.recipients]
    return stated and all(r.purposes for r in everyone)


def _recipient_lines(manifest: schema.Manifest, recipients: list[Receiver]) -> list[str]:
    lines = []
    for r in recipients:
        what = labels.label(labels.SERVICE_CATEGORIES, r.service) if isinstance(r, schema.Subprocessor) \
            else labels.label(labels.RECIPIENT_KINDS, r.kind)
        lines.append(f"{r.name} ({what}, {r.country or 'country not declared'})")
    if not lines and links_complete(manifest):
        # Every recipient names its purposes, so none here is a fact, not a gap.
        return ["None: no recipient receives personal data for this purpose"]
    return list(dict.fromkeys(lines))


def _controller(controller: schema.Controller) -> str:
    where = controller.address.one_line() if controller.address else controller.country or ""
    return ", ".join(x for x in (controller.legal_name, where, controller.email) if x)


def _representative(controller: schema.Controller) -> str:
    parts = [_person(role, person) for role, person in (
        ("EEA representative", controller.representative_eea),
        ("UK representative", controller.representative_uk))]
    return "; ".join(p for p in parts if p)


def _person(role: str, person: schema.Representative | None) -> str:
    if person is None:
        return ""
    contact = ", ".join(x for x in (person.email, person.phone) if x)
    return f"{role}: {person.name or 'not named'}" + (f" ({contact})" if contact else "")


def legal_basis_lines(manifest: schema.Manifest, purpose: schema.Purpose) -> list[str]:
    """Return the purpose's legal basis per regime, in words, e.g. 'GDPR: Consent (Art. 6(1)(a))'."""
    lines = []
    bases = (purpose.basis.gdpr, *purpose.basis.gdpr_also)
    for basis in dict.fromkeys(b for b in bases if b):
        article = labels.GDPR_ARTICLES.get(basis, "Art. 6(1)")
        text = f"GDPR: {labels.label(labels.GDPR_BASES, basis)} ({article})"
        if basis == "legitimate_interests" and purpose.legitimate_interest:
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
    """Return the purpose's declared data subjects; the only declared group stands in for an unnamed one.

    With several groups and none named, the record stays empty (a gap that `missing_fields` reports)
    rather than linking every group, such as job applicants, to every purpose.
    """
    keys = purpose.subjects or (tuple(manifest.data_subjects) if len(manifest.data_subjects) == 1 else ())
    return [manifest.data_subjects[k].name if k in manifest.data_subjects else k for k in keys]


def _transfers(manifest: schema.Manifest, recipients: list[Receiver]) -> list[str]:
    """State, per recipient of the purpose, whether data leaves the controller's home and on what ground."""
    home, countries = home_countries(manifest)
    if not recipients:
        return ["None: no recipient, so no transfer"] if links_complete(manifest) else []
    if not countries:
        return ["Not assessed: the controller's country is not declared (controller.country)"]
    lines = []
    for r in recipients:
        if not r.country:
            lines.append(f"{r.name}: country not declared")
        elif r.country.upper() not in countries:
            safeguard = labels.label(labels.TRANSFER_MECHANISMS, r.transfer) \
                if r.transfer and r.transfer != "none" else "NO SAFEGUARD DECLARED"
            lines.append(f"{r.name}: {r.country}, {safeguard}")
    return list(dict.fromkeys(lines)) or [f"None: every recipient of this purpose is in {home}"]


def _retention(manifest: schema.Manifest, purpose: schema.Purpose) -> list[str]:
    lines = []
    for rule in manifest.retention.rules:
        if inventory.touches(inventory.rule_categories(manifest, rule), purpose.categories):
            lines.append(retention_line(rule))
    return lines


def retention_line(rule: schema.RetentionRule) -> str:
    """Return a retention rule in words, e.g. 'Accounts: erased 30 days after the account is closed'."""
    if rule.period is None:
        return f"{rule.name}: kept {labels.open_ended(rule.trigger, rule.reason)}"
    action = labels.label(labels.RETENTION_ACTIONS, rule.action)
    trigger = labels.label(labels.RETENTION_TRIGGERS, rule.trigger)
    return f"{rule.name}: {action} {labels.duration(rule.period)} {trigger}"


def _erasure_limits(manifest: schema.Manifest, purpose: schema.Purpose) -> list[str]:
    lines = [f"{where} kept under legal hold '{hold.name}' for {labels.duration(hold.period)}: {hold.reason}"
             for where, hold in inventory.holds_on(manifest, purpose.categories)]
    backup = backup_line(manifest)
    return [*lines, backup] if backup else lines


def backup_line(manifest: schema.Manifest) -> str:
    """Return what the manifest declares about backups that cannot be erased at once, or ''."""
    backups = manifest.retention.backups
    isolated = declared(manifest, ("retention", "backups", "isolated_until_deletion"))
    if isolated and backups.isolated_until_deletion:
        text = "Backups that cannot be erased at once are isolated from any processing until they are deleted"
        if backups.overwritten_after_days:
            text += f" (overwritten after {backups.overwritten_after_days} days)"
        return text
    if backups.overwritten_after_days:
        return f"Backups are overwritten after {backups.overwritten_after_days} days"
    return ""


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
