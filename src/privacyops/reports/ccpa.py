"""The California category table A-K and the twelve-month disclosure statements, computed from the manifest.

The computed values are the truth: a letter is collected when a collected data category carries it, and
a disclosure is reported when a subprocessor receives such a category, when the notice states one, or when
one was recorded in the window. Where the notice's own stated table differs, the row says so.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from privacyops.manifest import schema
from privacyops.manifest.declared import declared
from privacyops.reports import inventory, markdown
from privacyops.reports.ccpa_categories import CCPA_CATEGORIES

DisclosureKind = Literal["sale", "share", "business_purpose"]
ADVERTISING_TRACKERS = ("marketing", "targeting")


@dataclass(frozen=True)
class CcpaRow:
    """One row of the table: a statutory letter and what the manifest says falls under it."""

    letter: str
    title: str
    examples: str
    collected: bool
    categories: tuple[str, ...] = ()
    category_names: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    purposes: tuple[str, ...] = ()
    recipients: tuple[str, ...] = ()
    stated: bool | None = None

    @property
    def answer(self) -> str:
        """Return YES or NO, as the table prints it."""
        return "YES" if self.collected else "NO"

    @property
    def differs(self) -> bool:
        """Return whether the notice's stated answer contradicts the computed one."""
        return self.stated is not None and self.stated != self.collected


@dataclass(frozen=True)
class RecordedDisclosure:
    """A disclosure of one category letter that actually happened, from the disclosure log."""

    letter: str
    kind: DisclosureKind
    occurred_on: dt.date
    recipient: str = ""


@dataclass(frozen=True)
class CcpaDisclosures:
    """What was sold, shared or disclosed for a business purpose in the twelve months before `as_of`."""

    as_of: dt.date
    window_start: dt.date
    sold: tuple[str, ...]
    shared: tuple[str, ...]
    business_purpose: tuple[str, ...]
    recipients_by_letter: dict[str, tuple[str, ...]] = field(default_factory=dict)
    advertising_trackers: tuple[str, ...] = ()

    @property
    def sold_or_shared(self) -> bool:
        """Return whether any letter was sold or shared in the window."""
        return bool(self.sold or self.shared)


def ccpa_table(manifest: schema.Manifest) -> list[CcpaRow]:
    """Return the eleven rows A-K with YES/NO computed from the collected data categories."""
    stated = manifest.notice.ccpa_table
    return [_row(manifest, c.letter, c.title, c.examples, stated.get(c.letter)) for c in CCPA_CATEGORIES]  # type: ignore[call-overload]


def _row(manifest: schema.Manifest, letter: str, title: str, examples: str, stated: bool | None) -> CcpaRow:
    keys = inventory.keys_for_letter(manifest, letter)
    sources: list[str] = []
    for key in keys:
        # A source the category does not declare is a default, not a fact about where the data comes from.
        if declared(manifest, ("data_categories", key, "source")):
            sources += [s for s in manifest.data_categories[key].source if s not in sources]
    return CcpaRow(
        letter=letter,
        title=title,
        examples=examples,
        collected=bool(keys),
        categories=tuple(keys),
        category_names=tuple(inventory.category_label(manifest, k) for k in keys),
        sources=tuple(sources),
        purposes=tuple(manifest.purposes[p].name for p in inventory.purposes_using(manifest, keys)),
        recipients=tuple(s.name for s in inventory.recipients_of(manifest, keys)) if keys else (),
        stated=stated,
    )


def ccpa_disclosures(
    manifest: schema.Manifest,
    recorded: Iterable[RecordedDisclosure] = (),
    as_of: dt.date | None = None,
) -> CcpaDisclosures:
    """Return the twelve-month statements: declared recipients, stated claims and recorded events."""
    end = as_of or manifest.notice.last_updated or manifest.notice.effective_date or dt.date.today()
    start = _twelve_months_before(end)
    in_window = [d for d in recorded if start < d.occurred_on <= end]
    stated = manifest.notice.ccpa_disclosures
    recipients = _recipients_by_letter(manifest)
    for event in in_window:
        if event.kind == "business_purpose" and event.recipient:
            names = recipients.setdefault(event.letter, ())
            if event.recipient not in names:
                recipients[event.letter] = (*names, event.recipient)
    business = set(recipients) | set(stated.business_purpose) | _letters(in_window, "business_purpose")
    return CcpaDisclosures(
        as_of=end,
        window_start=start,
        sold=tuple(sorted(set(stated.sold) | _letters(in_window, "sale"))),
        shared=tuple(sorted(set(stated.shared) | _letters(in_window, "share"))),
        business_purpose=tuple(sorted(business)),
        recipients_by_letter={k: recipients.get(k, ()) for k in sorted(business)},
        advertising_trackers=tuple(
            dict.fromkeys(c.provider for c in manifest.cookies
                          if c.category in ADVERTISING_TRACKERS and not c.first_party)
        ),
    )


def _recipients_by_letter(manifest: schema.Manifest) -> dict[str, tuple[str, ...]]:
    result: dict[str, list[str]] = {}
    for sub in manifest.subprocessors:
        for letter in inventory.letters_of(manifest, sub.categories):
            names = result.setdefault(letter, [])
            if sub.name not in names:
                names.append(sub.name)
    return {letter: tuple(names) for letter, names in result.items()}


def _letters(events: list[RecordedDisclosure], kind: DisclosureKind) -> set[str]:
    return {e.letter for e in events if e.kind == kind}


def _twelve_months_before(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def ccpa_report(manifest: schema.Manifest, recorded: Iterable[RecordedDisclosure] = ()) -> dict[str, Any]:
    """Return the table and the statements as plain data, ready for JSON."""
    disclosures = ccpa_disclosures(manifest, recorded)
    rows = []
    for row in ccpa_table(manifest):
        data = asdict(row)
        data["answer"] = row.answer
        data["differs_from_notice"] = row.differs
        rows.append(data)
    statements = asdict(disclosures)
    statements["as_of"] = disclosures.as_of.isoformat()
    statements["window_start"] = disclosures.window_start.isoformat()
    return {"controller": manifest.controller.legal_name, "table": rows, "disclosures": statements}


def to_markdown(manifest: schema.Manifest, recorded: Iterable[RecordedDisclosure] = ()) -> str:
    """Return the table A-K and the twelve-month statements as markdown."""
    rows = [
        (f"{r.letter}. {r.title}", r.answer, ", ".join(r.category_names) or "-", ", ".join(r.purposes) or "-",
         ", ".join(r.recipients) or "-", _stated_note(r))
        for r in ccpa_table(manifest)
    ]
    d = ccpa_disclosures(manifest, recorded)
    window = f"{d.window_start.isoformat()} to {d.as_of.isoformat()}"
    # "none" is a statement only when the notice declares its disclosures; otherwise nothing is recorded.
    nothing = "none" if declared(manifest, ("notice", "ccpa_disclosures")) \
        else "none recorded; not declared (notice.ccpa_disclosures)"
    lines = [
        f"# California categories of personal information: {manifest.controller.legal_name}", "",
        markdown.table(("Category", "Collected", "Data categories", "Purposes", "Recipients", "Notice says"),
                       rows), "",
        f"## Disclosures, {window}", "",
        f"- Sold: {', '.join(d.sold) or nothing}",
        f"- Shared for cross-context behavioural advertising: {', '.join(d.shared) or nothing}",
        f"- Disclosed for a business purpose: {', '.join(d.business_purpose) or nothing}",
    ]
    if d.advertising_trackers:
        lines.append(f"- Third-party advertising trackers: {', '.join(d.advertising_trackers)}")
    return "\n".join(lines) + "\n"


def _stated_note(row: CcpaRow) -> str:
    if row.stated is None:
        return "-"
    stated = "YES" if row.stated else "NO"
    return f"{stated} (differs; computed value used)" if row.differs else stated
