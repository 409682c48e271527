"""The Art. 15 statements of the cover letter, each with the manifest keys it rests on.

A statement is made only from what the manifest declares (``manifest.declared`` tells a declared key from
a default), the way the notice is written. Where the manifest is silent on an item the law asks for, the
letter says so and where to ask, instead of filling the gap with a claim. Statements about the package
itself (what it holds, what was left out) rest on ``PACKAGE`` rather than on a manifest key.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from privacyops.manifest import schema
from privacyops.manifest.declared import declared
from privacyops.manifest.regions import home_countries
from privacyops.notice import labels
from privacyops.reports import inventory, ropa

# The trace path of a statement about the package's own contents, not about the manifest.
PACKAGE = "@package"

Receiver = schema.Subprocessor | schema.Recipient


@dataclass(frozen=True)
class Line:
    """One statement of the letter and the manifest keys (or ``PACKAGE``) it rests on."""

    text: str
    paths: tuple[str, ...]


def line(text: str, *paths: str | Iterable[str]) -> Line:
    """Return a statement resting on the given paths (strings or lists of them), each once."""
    flat: list[str] = []
    for item in paths:
        flat += [item] if isinstance(item, str) else list(item)
    return Line(text, tuple(dict.fromkeys(p for p in flat if p)))


def paths_of(lines: Iterable[Line]) -> tuple[str, ...]:
    """Return every path the given statements rest on, each once."""
    return tuple(dict.fromkeys(p for one in lines for p in one.paths))


def not_stated(manifest: schema.Manifest, what: str) -> Line:
    """Say that the manifest states nothing about `what`, and where the person can ask instead."""
    return line(f"Our records of processing do not state {what}; you may ask us at "
                f"{manifest.contacts.privacy_email}.", "contacts/privacy_email")


def purposes(manifest: schema.Manifest, keys: Sequence[str]) -> list[Line]:
    """State each purpose that uses the data, with its declared legal grounds."""
    lines = []
    for key in keys:
        purpose = manifest.purposes[key]
        text = f"{purpose.name}: {purpose.description}" if purpose.description else purpose.name
        bases = ropa.legal_basis_lines(manifest, purpose)
        grounds = f"purposes/{key}/basis" if bases else ""
        lines.append(line(f"{text} ({'; '.join(bases)})" if bases else text, f"purposes/{key}", grounds))
    return lines


def receivers(manifest: schema.Manifest, cats: Sequence[str], purpose_keys: Sequence[str]
              ) -> list[tuple[str, Receiver]]:
    """Return (path, receiver) for everyone declared to receive some of the data.

    A receiver counts when it is linked to one of the purposes and names none of its categories or some of
    these, or when it names some of these categories itself.
    """
    everyone: list[tuple[str, Receiver]] = [
        *((f"subprocessors/{i}", s) for i, s in enumerate(manifest.subprocessors)),
        *((f"recipients/{i}", r) for i, r in enumerate(manifest.recipients)),
    ]
    found = []
    for path, who in everyone:
        touches = inventory.touches(who.categories, cats)
        linked = bool(set(who.purposes) & set(purpose_keys)) and (not who.categories or touches)
        if touches or linked:
            found.append((path, who))
    return found


def _nobody(manifest: schema.Manifest) -> tuple[str, ...]:
    """Return the keys that make "nobody receives it" a declared fact, or () when it is not one."""
    if not ropa.links_complete(manifest):
        return ()
    return tuple(k for k in ("subprocessors", "recipients") if declared(manifest, (k,)))


def recipients(manifest: schema.Manifest, found: Sequence[tuple[str, Receiver]]) -> list[Line]:
    """State who receives the data: what each recipient is and, where declared, its country."""
    lines = []
    for path, who in found:
        what = labels.label(labels.SERVICE_CATEGORIES, who.service) if isinstance(who, schema.Subprocessor) \
            else labels.label(labels.RECIPIENT_KINDS, who.kind)
        where = f", in {who.country}" if who.country else ""
        lines.append(line(f"{who.name} ({what}{where})", path, f"{path}/country" if who.country else ""))
    nobody = _nobody(manifest)
    if not lines and nobody:
        lines.append(line("No one outside our company receives this data.", nobody))
    return lines or [not_stated(manifest, "who receives this data")]


def transfers(manifest: schema.Manifest, found: Sequence[tuple[str, Receiver]]
              ) -> tuple[Line | None, list[Line]]:
    """State, per recipient, where it processes the data and the declared safeguard of a transfer."""
    home, countries = home_countries(manifest)
    home_path = "controller/country" if declared(manifest, ("controller", "country")) \
        else "controller/address/country"
    lines = [_transfer(who, path, home, countries, home_path) for path, who in found]
    nobody = _nobody(manifest)
    if not lines and nobody:
        return None, [line("No one outside our company receives this data, so it is not transferred.",
                           nobody)]
    if not lines:
        return None, [not_stated(manifest, "who receives this data or where")]
    if home:
        intro = line(f"Where each recipient processes the data, and what protects it when that is outside "
                     f"{home}:", home_path, paths_of(lines))
    else:
        intro = line("Where each recipient processes the data, as declared:", paths_of(lines))
    return intro, lines


def _transfer(who: Receiver, path: str, home: str, countries: set[str], home_path: str) -> Line:
    if not who.country:
        return line(f"{who.name}: where it processes the data is not stated.", path)
    where = f"{who.name}: in {who.country}"
    if countries and who.country.upper().split("-")[0] in countries:
        return line(f"{where}, inside {home}, so the data is not transferred.", f"{path}/country", home_path)
    if who.transfer and (who.transfer != "none" or not countries):
        mechanism = labels.label(labels.TRANSFER_MECHANISMS, who.transfer)
        return line(f"{where}; safeguard: {mechanism}.", f"{path}/country", f"{path}/transfer")
    return line(f"{where}; no safeguard for the transfer is declared.", f"{path}/country")


def retention(manifest: schema.Manifest, cats: Sequence[str]) -> list[Line]:
    """State the declared retention rules, legal holds and backup policy that cover the data."""
    lines = [line(ropa.retention_line(rule), f"retention/rules/{i}")
             for i, rule in enumerate(manifest.retention.rules)
             if inventory.touches(inventory.rule_categories(manifest, rule), cats)]
    for where, hold in inventory.holds_on(manifest, cats):
        lines.append(line(f"{where} kept under legal hold '{hold.name}' for {labels.duration(hold.period)}: "
                          f"{hold.reason}", _hold_path(where)))
    backup = ropa.backup_line(manifest)
    if backup:
        keys = [k for k in ("isolated_until_deletion", "overwritten_after_days")
                if declared(manifest, ("retention", "backups", k))]
        lines.append(line(backup + ".", [f"retention/backups/{k}" for k in keys]))
    return list({one.text: one for one in lines}.values())


def _hold_path(where: str) -> str:
    system, table, *field_name = where.split(".", 2)
    base = f"systems/{system}/tables/{table}"
    return f"{base}/fields/{field_name[0]}/hold" if field_name else f"{base}/hold"


def sources(manifest: schema.Manifest, cats: Sequence[str]) -> list[Line]:
    """State where each kind of data comes from, for the categories whose source is declared."""
    by_source: dict[str, list[str]] = {}
    for key in cats:
        if declared(manifest, ("data_categories", key, "source")):
            for source in manifest.data_categories[key].source:
                by_source.setdefault(source, []).append(key)
    lines = []
    for where, keys in by_source.items():
        origin, extra = labels.label(labels.SOURCES, where), []
        if where == "social_login":
            logins = [(i, s) for i, s in enumerate(manifest.social_logins)
                      if inventory.touches(s.categories, cats)]
            if logins:
                providers = labels.human_list([s.name for _, s in logins], "or")
                origin = f"the sign-in provider you use ({providers})"
                extra = [f"social_logins/{i}" for i, _ in logins]
        names = list(dict.fromkeys(inventory.category_label(manifest, k) for k in keys))
        lines.append(line(f"From {origin}: {labels.human_list(names)}.",
                          [f"data_categories/{k}/source" for k in keys], extra))
    return lines


def automated(manifest: schema.Manifest) -> list[Line]:
    """State the declared automated decisions, or that there are none when the manifest says so."""
    if not declared(manifest, ("automated_decisions",)):
        return [not_stated(manifest, "whether any decision about you is taken by automated means")]
    if not manifest.automated_decisions:
        return [line("We take no decision about you based solely on automated processing, profiling "
                     "included, that has legal or similarly significant effects for you.",
                     "automated_decisions")]
    lines = []
    for i, decision in enumerate(manifest.automated_decisions):
        text = f"{decision.name}: {decision.description}"
        if decision.legal_effect:
            text += f" It has legal or similarly significant effects; to have a person review it: " \
                    f"{decision.human_review}"
        lines.append(line(text, f"automated_decisions/{i}"))
    return lines


def rights(manifest: schema.Manifest, regions: Sequence[str]) -> list[Line]:
    """State each region's rights, with their conditions, and the declared time to answer."""
    lines = []
    for key in regions:
        region, base = manifest.regions[key], f"regions/{key}"
        named = [labels.label(labels.RIGHTS, r) + (f" ({region.conditions[r]})" if r in region.conditions
                                                   else "") for r in region.rights]
        answer = f" We answer within {region.deadline.describe()}"
        if region.extension:
            answer += f", which may be extended by {region.extension.describe()}"
        lines.append(line(f"{region.name} ({region.law}): {'; '.join(named)}.{answer}.", f"{base}/rights",
                          f"{base}/conditions" if region.conditions else "", f"{base}/deadline",
                          f"{base}/extension" if region.extension else ""))
    return lines or [not_stated(manifest, "which rights you have")]


def complaint(manifest: schema.Manifest, regions: Sequence[str]) -> tuple[Line | None, list[Line]]:
    """State where a person may complain: the declared authority, or the declared right to complain."""
    lines, gdpr = [], []
    for key in regions:
        region, base = manifest.regions[key], f"regions/{key}"
        if region.authority is not None:
            where = f" ({region.authority.url})" if region.authority.url else ""
            lines.append(line(f"{region.name}: {region.authority.name}{where}", f"{base}/authority"))
        elif "complain" in region.rights:
            lines.append(line(f"{region.name}: a supervisory authority", f"{base}/rights"))
        else:
            continue
        if region.basis_regime == "gdpr" and declared(manifest, ("regions", key, "basis_regime")):
            gdpr.append(f"{base}/basis_regime")
    if not lines:
        return None, [not_stated(manifest, "where you may complain")]
    if gdpr:
        # Art. 77 GDPR: the words of the law, stated only for a region declared to follow the GDPR.
        return line("You may complain to a supervisory authority, in particular where you live or work, or "
                    "where you think the law was broken:", gdpr), lines
    return line("You may complain to:", paths_of(lines)), lines
