"""The records of processing as CSV, HTML and an Excel workbook: every field of every purpose filled."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from privacyops.cli import main as cli_main
from privacyops.examples import LANGFUSE_MANIFEST
from privacyops.manifest import load
from privacyops.reports.ropa import FIELD_TITLES


def _run(*args: str) -> tuple[int, str]:
    cli_main._register_all()  # as the console script does when it starts (once)
    result = CliRunner().invoke(cli_main.app, ["report", "ropa", str(LANGFUSE_MANIFEST), *args])
    return result.exit_code, result.output


@pytest.fixture(scope="module")
def purposes() -> list[str]:
    return list(load.load_manifest(LANGFUSE_MANIFEST).purposes)


@pytest.mark.req("RK-2")
def test_xlsx_has_one_row_per_purpose_and_no_empty_cell(tmp_path: Path, purposes: list[str]) -> None:
    out = tmp_path / "ropa.xlsx"
    code, output = _run("--format", "xlsx", "-o", str(out))
    assert code == 0, output
    sheet = load_workbook(out).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == list(FIELD_TITLES.values())
    assert [row[0] for row in rows[1:]] == purposes
    empty = [
        (row[0], title)
        for row in rows[1:]
        for title, cell in zip(rows[0], row, strict=True)
        if not str(cell or "").strip()
    ]
    assert empty == []


@pytest.mark.req("RK-2")
def test_csv_and_html_have_every_field_for_every_purpose(tmp_path: Path, purposes: list[str]) -> None:
    code, text = _run("--format", "csv")
    assert code == 0
    table = list(csv.DictReader(io.StringIO(text)))
    assert [row["Id"] for row in table] == purposes
    assert all(value.strip() for row in table for value in row.values())
    code, page = _run("--format", "html")
    assert code == 0 and page.startswith("<!doctype html>")
    for key in purposes:
        section = page.split(f'<h2 id="{key}">', 1)[1].split("</table>", 1)[0]
        assert section.count("<tr>") == len(FIELD_TITLES) - 1
        assert "<td></td>" not in section and "<td><ul></ul></td>" not in section


def test_xlsx_needs_an_output_file() -> None:
    code, output = _run("--format", "xlsx")
    assert code == 1 and "--output" in output
