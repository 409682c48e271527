"""What changed between two manifests, in plain words, each change classified as material or not.

A change's kind names the rule that found it (``ChangeKind`` in privacyops.manifest.notice_meta); the
new manifest's ``notice.material_changes`` says which kinds are material. Anything the named rules do
not cover is still listed, as a contact or wording change, so a diff never hides a difference.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any

from privacyops.manifest.schema import Manifest
from privacyops.manifest.types import OPEN_ENDED_TRIGGERS

_DURATION = re.compile(r"^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?")
_CONTACT_KEYS = ("contacts", "controller")
# Keys the specific rules compare; the generic walk skips them.
_COVERED = ("purposes", "data_categories", "subprocessors", "recipients", "retention", "notice")


class UnrelatedManifests(ValueError):
    """The two manifests describe different controllers: a diff between them would mean nothing."""


@dataclass(frozen=True)
class Change:
    """One difference: its kind, the manifest key it concerns, the words, and the purposes it touches."""

    kind: str
    path: str
    text: str
    material: bool = False
    purposes: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        """Return the change as plain JSON values (as stored with a version)."""
        data = asdict(self)
        data["purposes"] = list(self.purposes)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Change:
        """Rebuild a change stored with a version."""
        return cls(
            data["kind"],
            data["path"],
            data["text"],
            bool(data.get("material")),
            tuple(data.get("purposes", ())),
        )


def diff(old: Manifest, new: Manifest) -> list[Change]:
    """List every change from ``old`` to ``new``, classified by ``new``'s materiality rules.

    Raises UnrelatedManifests when the controllers differ (a diff of two companies' files).
    """
    if old.controller.legal_name.casefold() != new.controller.legal_name.casefold():
        raise UnrelatedManifests(
            f"the manifests name different controllers ({old.controller.legal_name!r} and "
            f"{new.controller.legal_name!r}); compare two versions of the same company's manifest"
        )
    found = [
        *_purposes(old, new),
        *_categories(old, new),
        *_parties(old, new),
        *_countries(old, new),
        *_retention(old, new),
        *_generic(old, new),
    ]
    material = set(new.notice.material_changes)
    return [Change(c.kind, c.path, c.text, c.kind in material, c.purposes) for c in found]


def _purposes(old: Manifest, new: Manifest) -> list[Change]:
    out: list[Change] = []
    for key, purpose in new.purposes.items():
        before = old.purposes.get(key)
        if before is None:
            out.append(
                Change("new_purpose", f"purposes/{key}", f"New purpose: {purpose.name}.", purposes=(key,))
            )
            continue
        added = [c for c in purpose.categories if c not in before.categories]
        if added:
            out.append(
                Change(
                    "purpose_uses_more_data",
                    f"purposes/{key}/categories",
                    f"{purpose.name} now also uses {_names(new, added)}.",
                    purposes=(key,),
                )
            )
        out.extend(_basis(key, purpose.name, before.basis.gdpr, purpose.basis.gdpr))
        if before.description != purpose.description or before.name != purpose.name:
            out.append(
                Change(
                    "wording",
                    f"purposes/{key}",
                    f"The description of {purpose.name} was reworded.",
                    purposes=(key,),
                )
            )
    out.extend(
        Change("removed_purpose", f"purposes/{key}", f"Purpose no longer pursued: {p.name}.", purposes=(key,))
        for key, p in old.purposes.items()
        if key not in new.purposes
    )
    return out


def _basis(key: str, name: str, before: str | None, after: str | None) -> list[Change]:
    if before == after:
        return []
    kind = "basis_to_consent" if after == "consent" else "basis_changed"
    words = (
        f"{name} now rests on {_words(after)} instead of {_words(before)}."
        if before and after
        else f"The legal basis of {name} is now {_words(after)}."
    )
    return [Change(kind, f"purposes/{key}/basis/gdpr", words, purposes=(key,))]


def _categories(old: Manifest, new: Manifest) -> list[Change]:
    before, after = old.collected_categories(), new.collected_categories()
    out = [
        Change(
            "new_category",
            f"data_categories/{key}",
            f"We now collect {_names(new, [key])}.",
            purposes=_using(new, key),
        )
        for key in sorted(after - before)
    ]
    out += [
        Change("removed_category", f"data_categories/{key}", f"We no longer collect {_names(old, [key])}.")
        for key in sorted(before - after)
    ]
    return out


def _parties(old: Manifest, new: Manifest) -> list[Change]:
    out: list[Change] = []
    for label, attr in (("subprocessor", "subprocessors"), ("recipient", "recipients")):
        olds = {p.name: p for p in getattr(old, attr)}
        news = {p.name: p for p in getattr(new, attr)}
        for name, party in news.items():
            if name not in olds:
                where = f" in {party.country}" if party.country else ""
                out.append(
                    Change(
                        f"new_{label}",
                        f"{attr}/{name}",
                        f"New {label}: {name}{where}.",
                        purposes=tuple(party.purposes),
                    )
                )
            elif olds[name] != party:
                out.append(Change("wording", f"{attr}/{name}", f"The entry of {label} {name} was updated."))
        out += [
            Change(f"removed_{label}", f"{attr}/{name}", f"{label.capitalize()} removed: {name}.")
            for name in olds
            if name not in news
        ]
    return out


def _countries(old: Manifest, new: Manifest) -> list[Change]:
    before, after = _recipient_countries(old), _recipient_countries(new)
    return [
        Change("new_country", f"countries/{country}", f"Personal data now goes to {country}.")
        for country in sorted(after - before)
    ]


def _recipient_countries(manifest: Manifest) -> set[str]:
    countries = {p.country for p in manifest.subprocessors if p.country}
    return countries | {p.country for p in manifest.recipients if p.country}


def _retention(old: Manifest, new: Manifest) -> list[Change]:
    olds = {r.name: r for r in old.retention.rules}
    out: list[Change] = []
    for index, rule in enumerate(new.retention.rules):
        before = olds.get(rule.name)
        if before is None or before == rule:
            continue
        path = f"retention/rules/{index}"
        old_days, new_days = _days(before.trigger, before.period), _days(rule.trigger, rule.period)
        spans = f"({_span(before.trigger, before.period)} before, {_span(rule.trigger, rule.period)} now)"
        if new_days > old_days:
            out.append(Change("longer_retention", path, f"{rule.name} is now kept longer {spans}."))
        elif new_days < old_days:
            out.append(Change("shorter_retention", path, f"{rule.name} is now kept for less time {spans}."))
        else:
            out.append(Change("wording", path, f"The retention rule {rule.name} was reworded."))
    return out


def _days(trigger: str, period: str | None) -> float:
    if trigger in OPEN_ENDED_TRIGGERS or period is None:
        return float("inf")
    match = _DURATION.match(period)
    if match is None:
        return float("inf")
    years, months, weeks, days = (int(g or 0) for g in match.groups())
    return years * 365 + months * 30 + weeks * 7 + days


def _span(trigger: str, period: str | None) -> str:
    return f"{period} after {trigger.replace('_', ' ')}" if period else trigger.replace("_", " ")


def _generic(old: Manifest, new: Manifest) -> list[Change]:
    before, after = _flat(old.model_dump(mode="json")), _flat(new.model_dump(mode="json"))
    out: list[Change] = []
    for path in sorted(set(before) | set(after)):
        if before.get(path) == after.get(path) or _covered(path):
            continue
        kind = "contact" if path.split("/")[0] in _CONTACT_KEYS else "wording"
        out.append(
            Change(
                kind,
                path,
                f"{_label(path)} changed." if kind == "contact" else f"The text at {path} changed.",
            )
        )
    return _merge_paths(out)


def _covered(path: str) -> bool:
    top = path.split("/")[0]
    # The notice's own date and version change with every publication; the rest of notice is text.
    if top == "notice":
        return path.split("/")[1] in ("version", "last_updated", "effective_date", "material_changes")
    return top in _COVERED


def _merge_paths(changes: list[Change]) -> list[Change]:
    """Report a changed list or mapping once, at its top two levels, not once per leaf."""
    merged: dict[str, Change] = {}
    for change in changes:
        key = "/".join(change.path.split("/")[:2])
        if key not in merged:
            text = f"{_label(key)} changed." if change.kind == "contact" else f"The text at {key} changed."
            merged[key] = Change(change.kind, key, text)
    return list(merged.values())


def _flat(value: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(value, dict):
        items: list[tuple[str, Any]] = list(value.items())
    elif isinstance(value, list):
        items = [(str(i), v) for i, v in enumerate(value)]
    else:
        return {prefix: value}
    out: dict[str, Any] = {}
    for key, item in items:
        out.update(_flat(item, f"{prefix}/{key}" if prefix else str(key)))
    return out


def _label(path: str) -> str:
    words = path.replace("/", " ").replace("_", " ")
    return f"The {words}".replace(" contacts ", " contact ")


def _names(manifest: Manifest, keys: list[str]) -> str:
    names = [manifest.data_categories[k].name if k in manifest.data_categories else k for k in keys]
    return ", ".join(names)


def _using(manifest: Manifest, category: str) -> tuple[str, ...]:
    return tuple(k for k, p in manifest.purposes.items() if category in p.categories)


def _words(basis: str | None) -> str:
    return (basis or "no stated basis").replace("_", " ")
