from __future__ import annotations

import copy
import json
import re
from typing import Any

import jsonschema
import pytest

from privacyops.package import schema


@pytest.mark.req("AC-3")
def test_the_published_schema_matches_the_code() -> None:
    assert schema.published_schema() == schema.access_package_schema(), \
        "run `python -m privacyops.package.schema` to regenerate the published schema"
    assert schema.PUBLISHED.read_text(encoding="utf-8") == schema.schema_text()


@pytest.mark.req("AC-3")
def test_the_schema_is_a_valid_draft_2020_12_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(schema.published_schema())
    assert schema.published_schema()["$id"] == schema.SCHEMA_ID


def minimal() -> dict[str, Any]:
    info = {key: ["x"] for key in ("purposes", "categories", "recipients", "retention", "rights", "complaint",
                                   "source", "automated_decisions", "transfers")}
    return {
        "format_version": 1, "request_id": "r1", "generated_at": "2025-01-01T00:00:00+00:00",
        "controller": {"name": "C", "email": "c@example.com"},
        "subject": {"identities": {"email": ["a@b.c"]}},
        "lookback": {"mode": "12_months", "reason": "", "since": None, "until": "2025-01-01T00:00:00+00:00",
                     "timestamp_columns": {}, "rows_left_out": {}, "undated_rows": {}, "notes": []},
        "tables": [], "redactions": {}, "not_searched": [], "information": info,
        "records": [{"system": "s", "table": "t", "fields": {
            "f": {"value": 1, "categories": [], "labels": [], "disclosure": "full"}}}],
    }


def test_a_minimal_document_validates() -> None:
    schema.validate(minimal())


@pytest.mark.parametrize(
    ("change", "where"),
    [
        (lambda d: d["information"].pop("complaint"), "information"),
        (lambda d: d["information"].__setitem__("source", []), "information/source"),
        (lambda d: d["records"][0]["fields"]["f"].__setitem__("disclosure", "partly"), "records/0/fields/f"),
        (lambda d: d["records"][0].pop("system"), "records/0"),
        (lambda d: d.__setitem__("extra", 1), "(top level)"),
        (lambda d: d["lookback"].__setitem__("mode", "forever"), "lookback/mode"),
    ],
)
@pytest.mark.req("AC-3")
def test_invalid_documents_are_refused_naming_where(change: Any, where: str) -> None:
    document = copy.deepcopy(minimal())
    change(document)
    with pytest.raises(schema.PackageSchemaError, match=re.escape(f"data.json at {where}")):
        schema.validate(document)


def test_main_writes_the_schema(tmp_path: Any, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "out.json"
    assert schema.main([str(target)]) == 0
    assert json.loads(target.read_text()) == schema.access_package_schema()
    assert str(target) in capsys.readouterr().out


@pytest.mark.req("AC-3")
def test_the_compiled_check_and_jsonschema_agree_on_every_document_above() -> None:
    compiled = schema._compiled()
    assert compiled is not None, "jsonschema-rs is a dependency: the package check would be 60x slower"
    assert compiled.is_valid(minimal())
    for change in (lambda d: d["information"].pop("complaint"),
                   lambda d: d["records"][0]["fields"]["f"].__setitem__("disclosure", "partly"),
                   lambda d: d.__setitem__("extra", 1)):
        document = copy.deepcopy(minimal())
        change(document)
        assert not compiled.is_valid(document)
        assert not jsonschema.Draft202012Validator(schema.access_package_schema()).is_valid(document)


def test_jsonschema_decides_what_the_compiled_check_refuses() -> None:
    # The compiled check reads "date-time" strictly; jsonschema without a date-time checker does not,
    # and a document it accepts is accepted as before.
    document = minimal()
    document["generated_at"] = "2025-01-01 00:00"
    assert not schema._compiled().is_valid(document)
    schema.validate(document)
