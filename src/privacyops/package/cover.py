"""The cover letter of an access package: the Art. 15 information beside the data, from the manifest.

Every statement rests on a key the manifest declares, or on the package itself (``package.statements``),
narrowed to the categories found in this person's data; the facts are judged as the records of
processing judge them (``reports.ropa``, ``reports.inventory``). The letter is one list of sections,
printed as Markdown and as HTML by two templates; a traced Markdown rendering marks each statement with
its keys, the way the notice's trace does.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import jinja2

from privacyops.manifest.schema import Manifest
from privacyops.notice import filters, trace
from privacyops.package import statements
from privacyops.package.statements import Line
from privacyops.reports import inventory

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
    """One part of the letter: a key, a heading, a sentence of introduction and a list of statements."""

    key: str
    title: str
    intro: Line | None
    lines: tuple[Line, ...]

    @property
    def items(self) -> tuple[str, ...]:
        """Return the statements as plain sentences."""
        return tuple(one.text for one in self.lines)


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
    not_searched: Sequence[Line]
    region: str | None = None
    left_out: Mapping[str, int] = field(default_factory=dict)  # table id -> rows outside the period


def _section(key: str, intro: Line | str | None, lines: Iterable[Line]) -> Section:
    """Return a section; an intro given as text rests on the paths of the statements it introduces."""
    said = tuple(lines)
    if isinstance(intro, str):
        intro = statements.line(intro, statements.paths_of(said)) if intro else None
    return Section(key, TITLES[key], intro, said)


def _package_lines(texts: Iterable[str]) -> list[Line]:
    return [statements.line(text, statements.PACKAGE) for text in texts]


def cover_letter(manifest: Manifest, facts: LetterFacts, *, request_id: str,
                 generated_at: dt.datetime) -> CoverLetter:
    """Build the letter for one package; every statement rests on a declared key or on the package."""
    known = [k for k in manifest.data_categories if k in facts.categories]
    found = known + sorted(facts.categories - set(known))
    cats = found or inventory.collected_keys(manifest)
    purpose_keys = inventory.purposes_using(manifest, cats)
    receivers = statements.receivers(manifest, cats, purpose_keys)
    regions = [k for k in manifest.regions if facts.region in (None, k)] or list(manifest.regions)
    recipients = statements.recipients(manifest, receivers)
    transfer_intro, transfer_lines = statements.transfers(manifest, receivers)
    retention = statements.retention(manifest, cats)
    sources = statements.sources(manifest, cats)
    complaint_intro, complaint_lines = statements.complaint(manifest, regions)
    contact = manifest.contacts.privacy_email
    ask = f"To use any of these rights, write to {contact}" \
        + (f" or use {manifest.contacts.dsr_url}" if manifest.contacts.dsr_url else "") + "."
    sections = [
        _section("contents", statements.line(_contents_intro(facts), statements.PACKAGE),
                 _package_lines(_content_lines(facts))),
        _purposes_section(manifest, purpose_keys),
        _section("categories", statements.line(_categories_intro(bool(found)), statements.PACKAGE),
                 _category_lines(manifest, cats)),
        _section("recipients", "These recipients receive some of these kinds of data:"
                 if receivers else None, recipients),
        _section("transfers", transfer_intro, transfer_lines),
        _section("retention", "We keep this data as these rules state:" if retention else None,
                 retention or [statements.not_stated(manifest, "how long this data is kept")]),
        _section("source", "The data comes from these sources:" if sources else None,
                 sources or [statements.not_stated(manifest, "where this data comes from")]),
        _section("automated_decisions", None, statements.automated(manifest)),
        _section("rights", statements.line(ask, "contacts/privacy_email",
                                           "contacts/dsr_url" if manifest.contacts.dsr_url else ""),
                 statements.rights(manifest, regions)),
        _section("complaint", complaint_intro, complaint_lines),
        _section("period", None, _package_lines(facts.period)),
        _section("withheld", statements.line(
            "Secrets are never shown, only whether they exist; other people's data in shared records is "
            "replaced by a note.", statements.PACKAGE), _package_lines(facts.withheld)),
        _section("not_searched", None, facts.not_searched),
    ]
    return CoverLetter(manifest.controller.legal_name, contact, request_id, generated_at, tuple(sections))


def _purposes_section(manifest: Manifest, keys: Sequence[str]) -> Section:
    said = statements.purposes(manifest, keys)
    if not said:
        return _section("purposes", None, [statements.not_stated(manifest, "why this data is used")])
    grounds = any(p.endswith("/basis") for p in statements.paths_of(said))
    return _section("purposes", "We use the data in this package for these purposes"
                    + (", on these legal grounds:" if grounds else ":"), said)


def _categories_intro(found: bool) -> str:
    if found:
        return "The package holds these kinds of data:"
    return "No record about you was found; these are the kinds of data we collect:"


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


def _category_lines(manifest: Manifest, cats: Iterable[str]) -> list[Line]:
    """Name each kind of data; a key the manifest does not declare is a fact of the data found."""
    lines: dict[str, Line] = {}
    for key in cats:
        category = manifest.data_categories.get(key)
        text = inventory.category_label(manifest, key)
        if category is not None and category.description:
            text += f": {category.description}"
        path = f"data_categories/{key}" if category is not None else statements.PACKAGE
        lines.setdefault(text, statements.line(text, path))
    return list(lines.values())


def render_markdown(letter: CoverLetter, *, traced: bool = False) -> str:
    """Return the letter as Markdown; `traced` ends each statement with the keys it rests on (⟦...⟧)."""
    def mark(*paths: object) -> str:
        return trace.marker(traced, paths)

    template = _environment(False).get_template("cover-letter.md.j2")
    return template.render(letter=letter, mark=mark, package=statements.PACKAGE).strip() + "\n"


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
