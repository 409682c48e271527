"""The published JSON Schema of ``data.json`` (AC-3), written from this code and checked against it.

``access_package_schema()`` is the source; ``schema/access-package.schema.json`` is its published copy
(regenerate it with ``python -m privacyops.package.schema``; a test fails when the two differ).
"""

from __future__ import annotations

import functools
import json
import sys
from pathlib import Path
from typing import Any

import jsonschema

SCHEMA_ID = "urn:privacyops:schema:access-package:1"
FORMAT_VERSION = 1
PUBLISHED = Path(__file__).with_name("schema") / "access-package.schema.json"
DISCLOSURES = ("full", "existence_only", "redacted")
LOOKBACKS = ("12_months", "extended", "all", "since")


class PackageSchemaError(ValueError):
    """data.json does not follow the published access-package schema."""


def _strings() -> dict[str, Any]:
    return {"type": "array", "items": {"type": "string"}}


def _counts() -> dict[str, Any]:
    return {"type": "object", "additionalProperties": {"type": "integer", "minimum": 0}}


def _object(properties: dict[str, Any], *, description: str = "") -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object", "required": sorted(properties), "properties": properties,
                              "additionalProperties": False}
    if description:
        schema = {"description": description, **schema}
    return schema


def _field() -> dict[str, Any]:
    return _object({
        "value": {"description": "The value as stored (moments as ISO 8601 text); 'set'/'not set' for "
                                 "secrets, whose value is never given."},
        "categories": {**_strings(), "description": "Data category keys (fideslang vocabulary)."},
        "labels": {**_strings(), "description": "The data categories' names in words."},
        "disclosure": {"enum": list(DISCLOSURES), "description":
                       "full: shown as stored; existence_only: only whether it is set; redacted: other "
                       "people's data or secrets inside it were replaced by a note."},
    })


def _record() -> dict[str, Any]:
    return _object({
        "system": {"type": "string"},
        "table": {"type": "string"},
        "fields": {"type": "object", "additionalProperties": {"$ref": "#/$defs/field"}},
    }, description="One row of the subject's data.")


def _table() -> dict[str, Any]:
    return _object({
        "system": {"type": "string"},
        "table": {"type": "string"},
        "description": {"type": ["string", "null"]},
        "rows": {"type": "integer", "minimum": 0, "description": "Records of the table in this package."},
        "rows_left_out": {"type": "integer", "minimum": 0,
                          "description": "Records found but dated before the period covered."},
        "csv": {"type": "string"},
        "timestamp_column": {"type": ["string", "null"]},
        "withheld_fields": {**_strings(), "description": "Fields stated (set / not set), never shown."},
    })


def _lookback() -> dict[str, Any]:
    return _object({
        "mode": {"enum": list(LOOKBACKS), "description": "since: from the date in `since`."},
        "reason": {"type": "string", "description": "Why this period: the law's default or what was asked."},
        "since": {"type": ["string", "null"], "format": "date-time"},
        "until": {"type": "string", "format": "date-time"},
        "timestamp_columns": {"type": "object", "additionalProperties": {"type": ["string", "null"]}},
        "rows_left_out": _counts(),
        "undated_rows": _counts(),
        "notes": _strings(),
    }, description="The period the package covers and what lies outside it (AC-5).")


def _not_searched() -> dict[str, Any]:
    return _object({"what": {"type": "string"}, "categories": _strings(), "reason": {"type": "string"}})


def access_package_schema() -> dict[str, Any]:
    """Return the JSON Schema (draft 2020-12) that every data.json follows."""
    nonempty = {**_strings(), "minItems": 1}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "privacyops access and portability package",
        "description": "A person's data as a controller holds it, with what the law requires beside it.",
        **_object({
            "format_version": {"const": FORMAT_VERSION},
            "request_id": {"type": "string", "minLength": 1},
            "generated_at": {"type": "string", "format": "date-time"},
            "controller": _object({"name": {"type": "string"}, "email": {"type": "string"}}),
            "subject": _object({"identities": {"type": "object", "additionalProperties": _strings()}}),
            "lookback": {"$ref": "#/$defs/lookback"},
            "tables": {"type": "array", "items": {"$ref": "#/$defs/table"}},
            "records": {"type": "array", "items": {"$ref": "#/$defs/record"}},
            "redactions": {**_counts(), "description": "How many values were replaced, by reason."},
            "not_searched": {"type": "array", "items": {"$ref": "#/$defs/not_searched"}},
            "information": {
                "description": "The information Art. 15 GDPR asks for beside the data, by item.",
                "type": "object",
                "required": ["purposes", "categories", "recipients", "retention", "rights", "complaint",
                             "source", "automated_decisions", "transfers"],
                "additionalProperties": nonempty,
            },
        }),
        "$defs": {"field": _field(), "record": _record(), "table": _table(), "lookback": _lookback(),
                  "not_searched": _not_searched()},
    }


def published_schema() -> dict[str, Any]:
    """Return the schema as published beside the code."""
    loaded: dict[str, Any] = json.loads(PUBLISHED.read_text(encoding="utf-8"))
    return loaded


def schema_text() -> str:
    """Return the schema as the published file holds it."""
    return json.dumps(access_package_schema(), indent=2, ensure_ascii=False) + "\n"


@functools.cache
def _compiled() -> Any:
    """Return the schema compiled by jsonschema-rs (60x faster on 500 rows), or None without it."""
    try:
        import jsonschema_rs
    except ImportError:
        return None
    return jsonschema_rs.validator_for(access_package_schema(), validate_formats=True)


def validate(document: Any) -> None:
    """Check a data.json document against the schema; the error names the path of the first problem."""
    compiled = _compiled()
    if compiled is not None and compiled.is_valid(document):
        return
    # jsonschema stays the authority: it decides a document the compiled check refused, and names why.
    validator = jsonschema.Draft202012Validator(access_package_schema(),
                                                format_checker=jsonschema.FormatChecker())
    error = jsonschema.exceptions.best_match(validator.iter_errors(document))
    if error is not None:
        where = "/".join(str(p) for p in error.absolute_path) or "(top level)"
        raise PackageSchemaError(f"data.json at {where}: {error.message}")


def main(argv: list[str] | None = None) -> int:
    """Write the published schema file (or the path given) from the code."""
    target = Path(argv[0]) if argv else PUBLISHED
    target.write_text(schema_text(), encoding="utf-8")
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
