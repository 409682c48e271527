"""Read an access package's rows per table from each place that states them, and check they agree.

data.json (its table list, its records and its lookback), the CSV files, and the cover letter in
Markdown and in HTML each say how many rows a table holds and how many older ones were left out.
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
import zipfile
from dataclasses import dataclass
from typing import Any

# "tables/app_db.traces.csv: 18 record(s), 82 older left out" in the letter's contents section.
LETTER_LINE = re.compile(r"tables/(?P<table>[\w.]+)\.csv: (?P<rows>\d+) record\(s\)"
                         r"(?:, (?P<older>\d+) older left out)?")
# "  app_db.traces      18  (82 older left out)" as ``request export|run`` print it.
CLI_LINE = re.compile(r"^  (?P<table>\w+\.\w+) +(?P<rows>\d+)(?:  \((?P<older>\d+) older left out\))?$", re.M)


@dataclass(frozen=True)
class PackageCounts:
    """The rows per table and the older rows left out per table, as the package's files state them."""

    files: dict[str, str]
    data: dict[str, Any]

    @classmethod
    def of(cls, blob: bytes) -> PackageCounts:
        with zipfile.ZipFile(io.BytesIO(blob)) as archive:
            files = {name: archive.read(name).decode("utf-8") for name in archive.namelist()}
        return cls(files, json.loads(files["data.json"]))

    def table_rows(self) -> dict[str, int]:
        return {f"{t['system']}.{t['table']}": t["rows"] for t in self.data["tables"]}

    def record_rows(self) -> dict[str, int]:
        found = dict.fromkeys(self.table_rows(), 0)
        for record in self.data["records"]:
            found[f"{record['system']}.{record['table']}"] += 1
        return found

    def csv_rows(self) -> dict[str, int]:
        found = {}
        for name, text in self.files.items():
            if name.startswith("tables/") and name.endswith(".csv"):
                rows = list(csv.reader(io.StringIO(text)))
                found[name.removeprefix("tables/").removesuffix(".csv")] = len(rows) - 1  # less the header
        return found

    def letter(self, kind: str) -> tuple[dict[str, int], dict[str, int]]:
        """Return (rows, left out) per table as the Markdown or HTML letter states them."""
        if kind == "md":
            text = self.files["cover-letter.md"].replace("\\_", "_")
        else:
            text = html.unescape(self.files["cover-letter.html"])
        rows, older = {}, {}
        for match in LETTER_LINE.finditer(text):
            rows[match["table"]] = int(match["rows"])
            if match["older"]:
                older[match["table"]] = int(match["older"])
        return rows, older

    def left_out(self) -> dict[str, int]:
        counted: dict[str, int] = self.data["lookback"]["rows_left_out"]
        per_table = {f"{t['system']}.{t['table']}": t["rows_left_out"] for t in self.data["tables"]
                     if t["rows_left_out"]}
        assert per_table == counted, (per_table, counted)
        return counted

    def agreed(self) -> tuple[dict[str, int], dict[str, int]]:
        """Return (rows, left out) per table after checking every file states the same numbers."""
        rows, older = self.table_rows(), self.left_out()
        assert self.record_rows() == rows
        assert self.csv_rows() == rows
        for kind in ("md", "html"):
            assert self.letter(kind) == (rows, older), kind
        total, left = sum(rows.values()), sum(older.values())
        letter = self.files["cover-letter.md"]
        assert f"This package holds {total} record(s) from {len(rows)} table(s)" in letter
        if left:
            assert f"{left} older record(s) are not in this package" in letter
        return rows, older


def cli_counts(output: str) -> tuple[dict[str, int], dict[str, int]]:
    """Read the rows per table (and older rows left out) that ``request export|run`` printed."""
    rows, older = {}, {}
    for match in CLI_LINE.finditer(output):
        rows[match["table"]] = int(match["rows"])
        if match["older"]:
            older[match["table"]] = int(match["older"])
    return rows, older
