"""What a discovery scan saw per column, and the drift findings drawn from it.

``discover`` samples a connected database and fills a ``ColumnScan`` per text column; the rules here
compare those counts with what the manifest declares and turn each mismatch into a
``privacyops.manifest.errors.Finding`` located at the manifest key it is about, so that the scan prints
like ``privacyops check``. No finding carries a raw value: examples are masked before they get here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from privacyops.manifest import load
from privacyops.manifest.errors import Finding, Level
from privacyops.manifest.schema import Manifest, Table
from privacyops.manifest.source import SourceMap

ENTITY_CATEGORIES: dict[str, str] = {
    "EMAIL_ADDRESS": "user.contact.email",
    "PHONE_NUMBER": "user.contact.phone_number",
    "IP_ADDRESS": "user.device.ip_address",
    "CREDIT_CARD": "user.financial.credit_card",
    "IBAN_CODE": "user.financial.bank_account",
    "US_SSN": "user.government_id.national_identification_number",
    "NATIONAL_ID": "user.government_id.national_identification_number",
    "SECRET": "user.authorization.credentials",
    "URL_PII": "user",
    "PERSON": "user.name",
    "STREET_ADDRESS": "user.contact.address.street",
}
"""The data category each entity type of the PII engine stands for (``user``: the parameter decides)."""

SENSITIVE_ENTITIES = frozenset({"CREDIT_CARD", "IBAN_CODE", "US_SSN", "NATIONAL_ID", "SECRET"})
"""Entities whose presence matters even inside a column declared as holding personal data."""

SENSITIVE_BRANCHES = ("user.financial", "user.government_id", "user.authorization")

ABSENCE_CHECKED: dict[str, str] = {
    "user.contact.email": "EMAIL_ADDRESS",
    "user.contact.phone_number": "PHONE_NUMBER",
    "user.device.ip_address": "IP_ADDRESS",
}
"""Declared categories the engine recognises from the value alone, so never seeing one is telling.

Card and bank categories are left out on purpose: such columns often hold a brand or the last four
digits, which are the declared category without looking like it.
"""


@dataclass(frozen=True)
class Thresholds:
    """How much evidence turns matches into a finding."""

    min_hits: int = 2
    """Fewer matching rows than this are a coincidence (a 12-digit id passing the Luhn check)."""
    whole_value_share: float = 0.5
    """Values that are nothing but one match count only when at least this share of rows match."""
    min_rows_for_absence: int = 20
    """A declared category is reported as never seen only after this many non-empty values."""


@dataclass
class ColumnScan:
    """What sampling one column found: counts per entity type and two masked examples."""

    table: str
    column: str
    declared: bool
    categories: tuple[str, ...] = ()
    sampled: int = 0
    matched: int = 0
    entities: dict[str, int] = field(default_factory=dict)
    embedded: dict[str, int] = field(default_factory=dict)
    """Rows where the entity sits inside longer text rather than being the whole value."""
    examples: list[str] = field(default_factory=list)

    @property
    def share(self) -> float:
        """Return the share of sampled rows in which something personal was found."""
        return self.matched / self.sampled if self.sampled else 0.0

    def credible(self, entity: str, thresholds: Thresholds) -> bool:
        """Tell whether the matches of ``entity`` are evidence rather than coincidence."""
        hits = self.entities.get(entity, 0)
        if hits < thresholds.min_hits:
            return False
        return hits / self.sampled >= thresholds.whole_value_share or self.embedded.get(entity, 0) >= 2

    def credible_entities(self, thresholds: Thresholds) -> list[str]:
        """Return the entity types this column credibly holds, most frequent first."""
        found = [e for e in self.entities if self.credible(e, thresholds)]
        return sorted(found, key=lambda e: (-self.entities[e], e))

    def as_dict(self) -> dict[str, Any]:
        """Return the column's counts as plain JSON-ready values."""
        return {
            "table": self.table, "column": self.column, "declared": self.declared,
            "categories": list(self.categories), "sampled": self.sampled, "matched": self.matched,
            "share": round(self.share, 4), "entities": dict(self.entities), "examples": list(self.examples),
        }


@dataclass
class ScanReport:
    """The result of scanning one system: per-column counts, what was not scanned and the findings."""

    system: str
    columns: list[ColumnScan] = field(default_factory=list)
    tables_scanned: list[str] = field(default_factory=list)
    tables_not_scanned: list[str] = field(default_factory=list)
    undeclared_tables: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    seconds: float = 0.0

    def has_errors(self) -> bool:
        """Return whether the scan found undeclared personal data."""
        return any(f.level == "error" for f in self.findings)

    def personal_columns(self) -> list[ColumnScan]:
        """Return the columns in which anything personal was found."""
        return [c for c in self.columns if c.matched]

    def as_dict(self) -> dict[str, Any]:
        """Return the report as plain JSON-ready values."""
        return {
            "system": self.system, "seconds": round(self.seconds, 3),
            "tables_scanned": self.tables_scanned, "tables_not_scanned": self.tables_not_scanned,
            "undeclared_tables": self.undeclared_tables,
            "columns": [c.as_dict() for c in self.columns],
            "findings": [f.as_dict() for f in self.findings],
        }


def category_for(entity: str) -> str:
    """Return the data category an entity type of the PII engine stands for."""
    return ENTITY_CATEGORIES.get(entity, "user")


class DriftRules:
    """Compare what was sampled with what the manifest declares for one system."""

    def __init__(self, manifest: Manifest, system: str, thresholds: Thresholds | None = None) -> None:
        self.manifest = manifest
        self.system = system
        self.thresholds = thresholds or Thresholds()
        self.source: SourceMap = load.source_map(manifest)
        self.tables: Mapping[str, Table] = manifest.systems[system].tables

    def _finding(self, level: Level, code: str, path: tuple[str, ...], message: str, fix: str) -> Finding:
        return self.source.finding(("systems", self.system, "tables", *path), level, code, message, fix)

    def column_findings(self, scan: ColumnScan) -> list[Finding]:
        """Return the findings about one sampled column."""
        if not scan.declared or not scan.categories:
            return self._undeclared(scan)
        return [*self._more_sensitive(scan), *self._never_seen(scan)]

    def _undeclared(self, scan: ColumnScan) -> list[Finding]:
        if not scan.matched:
            return []
        credible = scan.credible_entities(self.thresholds)
        where = f"{scan.table}.{scan.column}"
        in_table = scan.table in self.tables
        path: tuple[str, ...] = (scan.table, "fields", scan.column) if in_table else ()
        status = "is declared without a category" if scan.declared else "is not declared"
        if not in_table:
            status = "is in a table the manifest does not declare"
        if not credible:
            return [self._finding(
                "info", "possible-personal-data", path,
                f"column {where} {status}; {_evidence(scan)}, too few to be sure",
                "look at the column; declare a category if it holds personal data")]
        suggestion = ", ".join(dict.fromkeys(category_for(e) for e in credible))
        first = category_for(credible[0])
        return [self._finding(
            "error", "undeclared-personal-data", path,
            f"column {where} {status}, yet holds personal data ({suggestion}): {_evidence(scan)}",
            f"declare it in systems.{self.system}.tables.{scan.table}.fields, e.g. "
            f"`{scan.column}: {first}`, or remove the data")]

    def _more_sensitive(self, scan: ColumnScan) -> list[Finding]:
        found = [e for e in scan.credible_entities(self.thresholds) if e in SENSITIVE_ENTITIES]
        loose = [e for e in found if not self._admits(scan.categories, category_for(e))]
        if not loose:
            return []
        categories = ", ".join(dict.fromkeys(category_for(e) for e in loose))
        counts = ", ".join(f"{e} {scan.entities[e]}" for e in loose)
        return [self._finding(
            "warning", "sensitive-not-declared", (scan.table, "fields", scan.column),
            f"column {scan.table}.{scan.column} is declared as {', '.join(scan.categories)} but holds "
            f"more sensitive data: {counts} of {scan.sampled} sampled rows ({categories})",
            f"add {categories} to the column's categories (or mark its category sensitive), "
            "or mask the data before it is stored")]

    def _admits(self, declared: Iterable[str], found: str) -> bool:
        branch = next((b for b in SENSITIVE_BRANCHES if found.startswith(b)), found)
        for category in declared:
            if found == category or found.startswith(category + ".") or category.startswith(branch):
                return True
            spec = self.manifest.data_categories.get(category)
            if spec is not None and spec.sensitive in (True, "maybe"):
                return True
        return False

    def _never_seen(self, scan: ColumnScan) -> list[Finding]:
        if scan.sampled < self.thresholds.min_rows_for_absence:
            return []
        out: list[Finding] = []
        for category in scan.categories:
            entity = ABSENCE_CHECKED.get(category)
            if entity is None or scan.entities.get(entity, 0):
                continue
            out.append(self._finding(
                "warning", "category-not-seen", (scan.table, "fields", scan.column),
                f"column {scan.table}.{scan.column} is declared as {category}, but none of "
                f"{scan.sampled} sampled values looks like one",
                "check the column still holds this data; correct or remove the category"))
        return out

    def table_findings(self, db_tables: Iterable[str], shapes: Mapping[str, Iterable[str]]) -> list[Finding]:
        """Return findings about tables and columns present on one side only."""
        present = set(db_tables)
        out: list[Finding] = []
        for table in sorted(present - set(self.tables)):
            out.append(self._finding(
                "warning", "undeclared-table", (),
                f"table {table} exists in the database but the manifest does not declare it",
                f"declare it under systems.{self.system}.tables with its fields, or drop it"))
        for table, spec in self.tables.items():
            if table not in present:
                out.append(self._finding(
                    "warning", "declared-table-missing", (table,),
                    f"table {table} is declared but the database has no such table",
                    "correct the table name or remove it from the manifest"))
                continue
            columns = set(shapes.get(table, ()))
            for name in declared_columns(spec):
                if name not in columns:
                    out.append(self._finding(
                        "warning", "declared-column-missing", (table, "fields", name),
                        f"column {table}.{name} is declared but the table has no such column",
                        "correct the column name or remove it from the manifest"))
        return out

    def incomplete(self, tables: list[str], budget_s: float) -> list[Finding]:
        """Return the finding that says which tables the time budget left unscanned."""
        if not tables:
            return []
        shown = ", ".join(tables[:10]) + (f" and {len(tables) - 10} more" if len(tables) > 10 else "")
        return [self._finding(
            "warning", "scan-incomplete", (),
            f"the time budget of {budget_s:g} s ran out; not scanned: {shown}",
            "raise --budget or scan again later")]


def declared_columns(table: Table) -> dict[str, tuple[str, ...]]:
    """Return each column a table declares (``col->json.path`` counts as ``col``) and its categories."""
    columns: dict[str, tuple[str, ...]] = {}
    for name, spec in table.fields.items():
        column = name.partition("->")[0].strip()
        columns[column] = tuple(dict.fromkeys((*columns.get(column, ()), *spec.categories)))
    return columns


def _evidence(scan: ColumnScan) -> str:
    counts = ", ".join(f"{e} {n}" for e, n in sorted(scan.entities.items(), key=lambda kv: (-kv[1], kv[0])))
    examples = f"; e.g. {', '.join(scan.examples)}" if scan.examples else ""
    return (f"{scan.matched} of {scan.sampled} sampled rows ({scan.share:.0%}) match: {counts}{examples}")
