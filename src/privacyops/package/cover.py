"""The cover letter of an access package: the Art. 15 information beside the data, from the manifest.

Facts come from the same functions as the records of processing and the notice (``reports.ropa``,
``reports.inventory``, ``notice.context``), narrowed to the categories found in this person's data. The
letter is one list of sections, printed as Markdown and as HTML by two templates.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import jinja2

from privacyops.manifest.schema import Manifest, Region
from privacyops.notice import context as notice_context
from privacyops.notice import filters, labels
from privacyops.reports import inventory, ropa

# The items Art. 15(1)-(2) GDPR asks for beside the data; each must be a non-empty section (AC-1).
ART15_SECTIONS: tuple[str, ...] = (
    "purposes", "categories", "recipients", "retention", "rights", "complaint", "source",
    "automated_decisions", "transfers",
)
TITLES: dict[str, str] = {
    "contents": "What this package contains",
    "purposes": "Why we use your data",
    "categories": "The kinds of data we hold about you",
    "recipients": "Who receives your data",
    "transfers": "Transfers outside your region and their safeguards",
    "retention": "How long we keep it",
    "source": "Where the data comes from",
    "automated_decisions": "Automated decisions",
    "rights": "Your rights",
    "complaint": "Your right to complain",
    "period": "The period this package covers",
    "withheld": "What is stated rather than shown",
    "not_searched": "What was not searched",
}


@dataclass(frozen=True)
class Section:
    """One part of the letter: a key, a heading, a sentence of introduction and a list of points."""

    key: str
    title: str
    intro: str
    items: tuple[str, ...]


@dataclass(frozen=True)
class CoverLetter:
    """Everything the letter says, in the order it says it."""

    controller: str
    contact: str
    request_id: str
    generated_at: dt.datetime
    sections: tuple[Section, ...]

    def section(self, key: str) -> Section:
        """Return a section by key."""
        return next(s for s in self.sections if s.key == key)

    def information(self) -> dict[str, list[str]]:
        """Return the Art. 15 sections as lists of plain sentences, for data.json."""
        return {s.key: list(s.items) for s in self.sections if s.key in ART15_SECTIONS}


@dataclass(frozen=True)
class LetterFacts:
    """What the package found, which the letter reports beside the manifest's facts."""

    categories: frozenset[str]
    tables: Mapping[str, int]  # table id -> rows in the package
    files: Sequence[str]
    period: Sequence[str]
    withheld: Sequence[str]
    not_searched: Sequence[str]
    region: str | None = None
    left_out: Mapping[str, int] = field(default_factory=dict)  # table id -> rows outside the period


def cover_letter(manifest: Manifest, facts: LetterFacts, *, request_id: str,
                 generated_at: dt.datetime) -> CoverLetter:
    """Build the letter for one package."""
    declared = [k for k in manifest.data_categories if k in facts.categories]
    cats = declared + sorted(facts.categories - set(declared)) or inventory.collected_keys(manifest)
    purposes = inventory.purposes_using(manifest, cats)
    activities = [a for a in ropa.records_of_processing(manifest) if a.id in purposes]
    recipients = [s.name for s in inventory.recipients_of(manifest, cats)]
    regions = [r for k, r in manifest.regions.items() if facts.region in (None, k)] \
        or list(manifest.regions.values())
    contact = manifest.contacts.privacy_email
    sections = [
        Section("contents", TITLES["contents"], _contents_intro(facts), tuple(_content_lines(facts))),
        Section("purposes", TITLES["purposes"], "We use the data in this package for these purposes, "
                "on these legal grounds:", tuple(_purpose_lines(activities))),
        Section("categories", TITLES["categories"], "The package holds these kinds of data:",
                tuple(_category_lines(manifest, cats))),
        Section("recipients", TITLES["recipients"], "These service providers receive some of these kinds "
                "of data to do work for us:", tuple(_recipient_lines(activities, recipients))),
        Section("transfers", TITLES["transfers"], "Where a recipient works outside the European Economic "
                "Area, this safeguard protects the transfer:",
                tuple(_transfer_lines(activities, recipients))),
        Section("retention", TITLES["retention"], "We keep the data only as long as these rules allow:",
                tuple(_retention_lines(manifest, activities))),
        Section("source", TITLES["source"], "The data comes from these sources:",
                tuple(_source_lines(manifest, cats))),
        Section("automated_decisions", TITLES["automated_decisions"], "",
                tuple(_automated_lines(manifest))),
        Section("rights", TITLES["rights"], f"To use any of these rights, write to {contact}"
                + (f" or use {manifest.contacts.dsr_url}" if manifest.contacts.dsr_url else "") + ".",
                tuple(_rights_lines(regions))),
        Section("complaint", TITLES["complaint"], "You may complain to a supervisory authority, in "
                "particular where you live or work, or where you think the law was broken:",
                tuple(_complaint_lines(regions, contact))),
        Section("period", TITLES["period"], "", tuple(facts.period)),
        Section("withheld", TITLES["withheld"], "Secrets are never shown, only whether they exist; other "
                "people's data in shared records is replaced by a note.", tuple(facts.withheld)),
        Section("not_searched", TITLES["not_searched"], "", tuple(facts.not_searched)),
    ]
    return CoverLetter(manifest.controller.legal_name, contact, request_id, generated_at, tuple(sections))


def _contents_intro(facts: LetterFacts) -> str:
    rows = sum(facts.tables.values())
    older = sum(facts.left_out.values())
    outside = f" ({older} older record(s) were left out: see the period this package covers)" if older else ""
    return (f"This package holds {rows} record(s) from {len(facts.tables)} table(s){outside}: data.json (all "
            "of it, machine-readable, following the published schema), one CSV file per table, and this "
            "letter.")


def _content_lines(facts: LetterFacts) -> list[str]:
    """List the files, each table's CSV with its records and the older records left out of it."""
    lines = []
    for name in facts.files:
        table_id = name.removeprefix("tables/").removesuffix(".csv")
        if name == f"tables/{table_id}.csv" and table_id in facts.tables:
            older = facts.left_out.get(table_id, 0)
            name += f": {facts.tables[table_id]} record(s)" + (f", {older} older left out" if older else "")
        lines.append(name)
    return lines


def _unique(lines: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(line for line in lines if line))


def _purpose_lines(activities: Sequence[ropa.Activity]) -> list[str]:
    return [f"{a.purpose} ({'; '.join(a.legal_basis)})" if a.legal_basis else a.purpose for a in activities]


def _category_lines(manifest: Manifest, cats: Iterable[str]) -> list[str]:
    lines = []
    for key in cats:
        category = manifest.data_categories.get(key)
        text = inventory.category_label(manifest, key)
        if category is not None and category.description:
            text += f": {category.description}"
        lines.append(text)
    return _unique(lines)


def _recipient_lines(activities: Sequence[ropa.Activity], names: Sequence[str]) -> list[str]:
    lines = _unique(r for a in activities for r in a.recipients if r.split(" (", 1)[0] in names)
    return lines or ["Nobody outside our company receives this data."]


def _transfer_lines(activities: Sequence[ropa.Activity], names: Sequence[str]) -> list[str]:
    lines = _unique(t for a in activities for t in a.transfers if t.split(":", 1)[0] in names)
    return lines or ["None: every recipient of this data processes it inside the European Economic Area."]


def _retention_lines(manifest: Manifest, activities: Sequence[ropa.Activity]) -> list[str]:
    lines = _unique(r for a in activities for r in (*a.retention, *a.erasure_limits))
    if not lines:
        lines = notice_context.build(manifest).retention_rules
    return lines or ["We keep the data only as long as the purposes above need it, then erase it."]


def _source_lines(manifest: Manifest, cats: Sequence[str]) -> list[str]:
    by_source: dict[str, list[str]] = {}
    for key in cats:
        category = manifest.data_categories.get(key)
        for source in category.source if category else ("provided",):
            by_source.setdefault(source, []).append(inventory.category_label(manifest, key))
    lines = []
    for where, names in by_source.items():
        origin = labels.label(labels.SOURCES, where)
        if where == "social_login":
            providers = [s.name for s in manifest.social_logins if inventory.touches(s.categories, cats)]
            if providers:
                origin = f"the sign-in provider you use ({labels.human_list(providers, 'or')})"
        lines.append(f"From {origin}: {labels.human_list(_unique(names))}.")
    return lines


def _automated_lines(manifest: Manifest) -> list[str]:
    if not manifest.automated_decisions:
        return ["We take no decision about you based solely on automated processing, profiling included, "
                "that has legal or similarly significant effects for you."]
    lines = []
    for decision in manifest.automated_decisions:
        text = f"{decision.name}: {decision.description}"
        if decision.legal_effect:
            text += f" It has legal or similarly significant effects; to have a person review it: " \
                    f"{decision.human_review}"
        lines.append(text)
    return lines


def _rights_lines(regions: Sequence[Region]) -> list[str]:
    lines = []
    for region in regions:
        rights = [labels.label(labels.RIGHTS, r) for r in region.rights]
        deadline = f" We answer within {region.deadline.describe()}"
        if region.extension:
            deadline += f", extendable by {region.extension.describe()} where the law allows"
        lines.append(f"{region.name} ({region.law}): {'; '.join(rights)}.{deadline}.")
    return lines


def _complaint_lines(regions: Sequence[Region], contact: str) -> list[str]:
    lines = []
    for region in regions:
        if region.authority is not None:
            where = f" ({region.authority.url})" if region.authority.url else ""
            lines.append(f"{region.name}: {region.authority.name}{where}")
    return lines or [f"Write to us first at {contact}; you may also complain to the data protection or "
                     "consumer protection authority where you live."]


def render_markdown(letter: CoverLetter) -> str:
    """Return the letter as Markdown."""
    return _environment(False).get_template("cover-letter.md.j2").render(letter=letter).strip() + "\n"


def render_html(letter: CoverLetter) -> str:
    """Return the letter as a self-contained HTML page."""
    return _environment(True).get_template("cover-letter.html.j2").render(letter=letter).strip() + "\n"


@functools.cache
def _environment(html: bool) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("privacyops.package", "templates"),
        autoescape=html,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["md"] = filters.md
    env.filters["long_date"] = filters.long_date
    return env
