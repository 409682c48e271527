"""The requirement trace: requirements.md parsed, claims found in code, reports merged, problems named."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.reqtrace import sources, table

REQUIREMENTS = """# Testable requirements

## Date arithmetic (DL-0)
- GDPR "one month"

## 1. Intake
| id | source | rule | acceptance test |
|---|---|---|---|
| INT-1 | 1798.130 | A web form and an email address. | POST creates a request. |
| INT-2 | §7020(e) | Another channel is valid. | A ticket keeps its time. |
| INT-3 | §7061 | Account holders re-authenticate. | A stale token is refused. |

Text that mentions INT-9 outside a table is not a requirement.
"""


def write_report(path: Path, tests: dict[str, tuple[list[str], str]]) -> Path:
    body = {"version": 1, "db": "sqlite",
            "tests": {nodeid: {"ids": ids, "outcome": outcome} for nodeid, (ids, outcome) in tests.items()}}
    path.write_text(json.dumps(body), encoding="utf-8")
    return path


def test_requirements_are_the_table_rows_and_the_date_section_in_order() -> None:
    found = sources.parse_requirements(REQUIREMENTS)
    assert [r.id for r in found] == ["DL-0", "INT-1", "INT-2", "INT-3"]
    assert found[1].rule == "A web form and an email address."
    assert found[0].rule == "Date arithmetic"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Verification steps (INT-3..7).", ["INT-3", "INT-4", "INT-5", "INT-6", "INT-7"]),
        ("The access package (AC-1..AC-6).", ["AC-1", "AC-2", "AC-3", "AC-4", "AC-5", "AC-6"]),
        ("Recipient tasks (ER-1, PC-3, RR-1).", ["ER-1", "PC-3"]),
        ("HMAC-SHA256 and UTF-8 and DL-10 are not ours; INT-12x is not an id.", []),
    ],
)
def test_claims_name_ids_of_known_prefixes_and_expand_ranges(tmp_path: Path, text: str,
                                                             expected: list[str]) -> None:
    src = tmp_path / "src"
    (src / "pkg").mkdir(parents=True)
    (src / "pkg" / "mod.py").write_text(f'"""{text}"""\n', encoding="utf-8")
    (src / "pkg" / "image.png").write_bytes(b"INT-1")
    claims = sources.find_claims({"INT", "AC", "ER", "PC"}, src)
    assert sorted(claims.places) == expected
    assert all(places == ["src/pkg/mod.py:1"] for places in claims.places.values())


def test_reports_merge_a_failure_anywhere_wins_and_a_pass_beats_a_skip(tmp_path: Path) -> None:
    sqlite = write_report(tmp_path / "sqlite.json", {
        "t.py::a": (["INT-1"], "passed"), "t.py::b": (["INT-2"], "passed"), "t.py::c": (["INT-3"], "skipped"),
    })
    postgres = write_report(tmp_path / "postgres.json", {
        "t.py::a": (["INT-1"], "skipped"), "t.py::b": (["INT-2"], "failed"), "t.py::c": (["INT-3"], "passed"),
    })
    merged = table.load_reports([sqlite, postgres])
    assert {nodeid: result.outcome for nodeid, result in merged.items()} == {
        "t.py::a": "passed", "t.py::b": "failed", "t.py::c": "passed"}


@pytest.mark.parametrize(("content", "words"), [
    (None, "no such report"), ("{not json", "not JSON"), ('{"tests": []}', "no 'tests' object"),
])
def test_a_bad_report_says_how_to_write_it_again(tmp_path: Path, content: str | None, words: str) -> None:
    path = tmp_path / "report.json"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(table.ReportError, match=words) as raised:
        table.load_reports([path])
    assert str(path) in str(raised.value)


def rows_for(tmp_path: Path, tests: dict[str, tuple[list[str], str]],
             claimed: dict[str, str]) -> tuple[list[table.Row], dict[str, table.Result]]:
    results = table.load_reports([write_report(tmp_path / "r.json", tests)])
    claims = sources.Claims()
    for req_id, place in claimed.items():
        claims.add(req_id, place)
    return table.build_rows(sources.parse_requirements(REQUIREMENTS), claims, results), results


def test_rows_follow_the_document_and_unknown_ids_come_last(tmp_path: Path) -> None:
    rows, _ = rows_for(tmp_path, {"t.py::a": (["INT-2", "XX-1"], "passed"), "t.py::b": (["INT-2"], "failed")},
                       {"INT-1": "src/a.py:3"})
    assert [row.id for row in rows] == ["DL-0", "INT-1", "INT-2", "INT-3", "XX-1"]
    by_id = {row.id: row for row in rows}
    assert (by_id["INT-2"].count("passed"), by_id["INT-2"].count("failed")) == (1, 1)
    assert [by_id[i].status for i in ("DL-0", "INT-1", "INT-2", "XX-1")] == [
        "NO TEST", "NO TEST", "FAILING", "UNKNOWN ID"]
    text = table.render(rows)
    assert "XX-1" in text and "        passed   t.py::a" in text.splitlines()[4]
    assert "t.py::a" not in table.render(rows, show_tests=False)
    assert table.summary(rows).startswith("0/4 requirements have a passing test; 1 are claimed")


def test_problems_name_claims_without_a_passing_test_and_ids_that_do_not_exist(tmp_path: Path) -> None:
    rows, results = rows_for(
        tmp_path,
        {"t.py::ok": (["INT-1"], "passed"), "t.py::bad": (["INT-2"], "failed"),
         "t.py::typo": (["INT-33"], "passed"), "t.py::empty": ([], "passed")},
        {"INT-1": "src/a.py:1", "INT-2": "src/b.py:2", "INT-3": "src/c.py:3", "INT-44": "src/d.py:4"},
    )
    found = table.problems(rows, results)
    assert len(found) == 5, found
    assert any(p.startswith("t.py::empty: @pytest.mark.req() names no id") for p in found)
    assert any(p.startswith("INT-2 is claimed by src/b.py:2 but none of its 1 marked test(s) passed")
               for p in found)
    assert any(p.startswith("INT-3 is claimed by src/c.py:3 but no test is marked") for p in found)
    assert any(p.startswith("INT-33 is not in requirements.md but is named by t.py::typo") for p in found)
    assert any(p.startswith("INT-44 is not in requirements.md but is named by src/d.py:4") for p in found)
    assert not any(p.startswith("INT-1") for p in found)
    collected_only = table.problems(rows, results, ran=False)
    assert not any(p.startswith("INT-2") for p in collected_only) and len(collected_only) == 4
