"""Build the access and portability package of one request: a ZIP of JSON, CSV and a cover letter.

The steps, in order: keep the rows inside the lookback window (AC-5); state secrets and mask other
people's data (AC-4, AC-2); describe what was not searched (AC-6); write the cover letter (AC-1);
validate data.json against the published schema (AC-3); list every file with its SHA-256.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import orjson

from privacyops.engine.run import AccessResult
from privacyops.manifest.declared import declared
from privacyops.manifest.schema import Manifest
from privacyops.package import cover, records, schema, statements
from privacyops.package import lookback as window

DATA_FILE = "data.json"
LETTER_MD = "cover-letter.md"
LETTER_HTML = "cover-letter.html"
SCHEMA_FILE = "schema/access-package.schema.json"
CONTENTS_FILE = "manifest.json"
# A spreadsheet runs text that starts like a formula; such cells get a leading apostrophe in the CSV.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Package:
    """The ZIP bytes with the rows each table holds in it and the period applied (what was left out)."""

    data: bytes
    rows: dict[str, int]
    period: window.LookbackReport


def build_access_package(
    manifest: Manifest,
    result: AccessResult,
    *,
    subject: Mapping[str, Any],
    request_id: str,
    generated_at: dt.datetime,
    lookback: window.Lookback | window.Choice = "12_months",
    timestamp_columns: Mapping[str, str | None] | None = None,
) -> bytes:
    """Return the package as ZIP bytes; `subject` holds the identities given (and optionally `region`)."""
    return build_package(manifest, result, subject=subject, request_id=request_id, generated_at=generated_at,
                         lookback=lookback, timestamp_columns=timestamp_columns).data


def build_package(
    manifest: Manifest,
    result: AccessResult,
    *,
    subject: Mapping[str, Any],
    request_id: str,
    generated_at: dt.datetime,
    lookback: window.Lookback | window.Choice = "12_months",
    timestamp_columns: Mapping[str, str | None] | None = None,
) -> Package:
    """Return the package with its counts: the same numbers the letter, data.json and the CSVs give."""
    rows, period = window.apply_lookback(manifest, result.rows, lookback, generated_at, timestamp_columns)
    shown = records.disclose(manifest, rows, subject)
    skipped = not_searched(manifest, result)
    csvs = {csv_name(t): table_csv(manifest, t, recs) for t, recs in shown.records.items()}
    facts = cover.LetterFacts(
        categories=frozenset(shown.categories()),
        tables={t: len(recs) for t, recs in shown.records.items()},
        left_out=dict(period.left_out),
        files=[DATA_FILE, *sorted(csvs), LETTER_MD, LETTER_HTML, SCHEMA_FILE, CONTENTS_FILE],
        period=period.lines(),
        withheld=withheld_lines(shown),
        not_searched=[statements.line(_skipped_line(item), item["paths"]) for item in skipped],
        region=str(subject["region"]) if subject.get("region") else None,
    )
    letter = cover.cover_letter(manifest, facts, request_id=request_id, generated_at=generated_at)
    document = data_document(manifest, shown, period, skipped, letter, request_id, generated_at)
    schema.validate(document)
    files = {
        DATA_FILE: document_text(document),
        **csvs,
        LETTER_MD: cover.render_markdown(letter),
        LETTER_HTML: cover.render_html(letter),
        SCHEMA_FILE: schema.schema_text(),
    }
    encoded = {name: text.encode("utf-8") for name, text in files.items()}
    encoded[CONTENTS_FILE] = contents(encoded, request_id, generated_at)
    return Package(zip_files(encoded, generated_at), dict(facts.tables), period)


def document_text(document: Mapping[str, Any]) -> str:
    """Return data.json's text, indented for a reader, written by a C encoder.

    The pure-Python encoder took two fifths of the package's time; an integer past 64 bits, which the
    C encoder refuses, falls back to ``json`` (the same text).
    """
    try:
        return orjson.dumps(document, option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE).decode("utf-8")
    except orjson.JSONEncodeError:
        return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def csv_name(table_id: str) -> str:
    """Return the file name of a table's CSV inside the package."""
    return f"tables/{table_id}.csv"


def data_document(manifest: Manifest, shown: records.Disclosed, period: window.LookbackReport,
                  skipped: list[dict[str, Any]], letter: cover.CoverLetter, request_id: str,
                  generated_at: dt.datetime) -> dict[str, Any]:
    """Return data.json as a JSON-ready dict."""
    return {
        "format_version": schema.FORMAT_VERSION,
        "request_id": request_id,
        "generated_at": window.as_utc(generated_at).isoformat(),
        "controller": {"name": manifest.controller.legal_name, "email": manifest.contacts.privacy_email},
        "subject": {"identities": shown.identities.as_json()},
        "lookback": period.as_json(),
        "tables": [_table_entry(manifest, shown, t, recs, period) for t, recs in shown.records.items()],
        "records": [_record_entry(shown, t, r) for t, recs in shown.records.items() for r in recs],
        "redactions": dict(sorted(shown.redactions.items())),
        "not_searched": [{k: v for k, v in item.items() if k != "paths"} for item in skipped],
        "information": letter.information(),
    }


def _table_entry(manifest: Manifest, shown: records.Disclosed, table_id: str,
                 recs: list[records.Record], period: window.LookbackReport) -> dict[str, Any]:
    system, _, name = table_id.partition(".")
    table = manifest.systems[system].tables.get(name) if system in manifest.systems else None
    return {
        "system": system, "table": name, "description": table.description if table else None,
        "rows": len(recs), "rows_left_out": period.left_out.get(table_id, 0), "csv": csv_name(table_id),
        "timestamp_column": period.columns.get(table_id),
        "withheld_fields": shown.withheld.get(table_id, []),
    }


def _record_entry(shown: records.Disclosed, table_id: str, record: records.Record) -> dict[str, Any]:
    infos = shown.fields.get(table_id, {})
    fields = {}
    for name, value in record.values.items():
        info = infos.get(name)
        fields[name] = {"value": value, "categories": list(info.categories) if info else [],
                        "labels": list(info.labels) if info else [],
                        "disclosure": record.disclosure.get(name, records.FULL)}
    return {"system": record.system, "table": record.table, "fields": fields}


def not_searched(manifest: Manifest, result: AccessResult) -> list[dict[str, Any]]:
    """Name, by data category, what the access did not search: backups and tables that failed (AC-6).

    Backups are named only when the manifest declares a backup policy, and described only by what it
    declares; each item keeps under "paths" the keys its sentence rests on (left out of data.json).
    """
    items = []
    held = [c for s in manifest.systems.values() for t in s.tables.values() for c in sorted(t.categories())]
    if manifest.systems and declared(manifest, ("retention", "backups")):
        systems = ", ".join(s.name or key for key, s in manifest.systems.items())
        reason, paths = _backup_reason(manifest)
        items.append({"what": f"Backups of {systems}", "categories": _labels(manifest, held),
                      "reason": reason, "paths": ["systems", *paths]})
    for step in result.steps:
        if step.status != "done":
            categories = _labels(manifest, _table_categories(manifest, step.table))
            items.append({"what": step.table, "categories": categories, "paths": [statements.PACKAGE],
                          "reason": step.reason or "the table could not be read"})
    return items


def _backup_reason(manifest: Manifest) -> tuple[str, list[str]]:
    """Say why backups were not searched, with only what the manifest declares about them."""
    backups = manifest.retention.backups
    reason = "Backups are kept for restoring after a failure and are not searched record by record"
    paths = ["retention/backups"]
    isolated = declared(manifest, ("retention", "backups", "isolated_until_deletion"))
    if isolated and backups.isolated_until_deletion:
        reason += "; they are kept apart from any processing until they are deleted"
        paths.append("retention/backups/isolated_until_deletion")
    if backups.overwritten_after_days:
        reason += f" and are overwritten after {backups.overwritten_after_days} days"
        paths.append("retention/backups/overwritten_after_days")
    return reason + ".", paths


def _table_categories(manifest: Manifest, table_id: str) -> list[str]:
    system, _, name = table_id.partition(".")
    table = manifest.systems[system].tables.get(name) if system in manifest.systems else None
    return sorted(table.categories()) if table else []


def _labels(manifest: Manifest, keys: list[str]) -> list[str]:
    wanted = set(keys)
    declared = manifest.data_categories
    ordered = [k for k in declared if k in wanted] + sorted(wanted - set(declared))
    return list(dict.fromkeys(manifest.data_categories[k].name if k in manifest.data_categories else k
                              for k in ordered))


def _skipped_line(item: Mapping[str, Any]) -> str:
    categories = ", ".join(item["categories"]) or "no declared personal data"
    return f"{item['what']} ({categories}): {item['reason']}"


def withheld_lines(shown: records.Disclosed) -> list[str]:
    """Say which secrets exist (set / not set) and what was replaced, without any value."""
    lines = []
    for table_id, names in shown.withheld.items():
        recs = shown.records.get(table_id, [])
        for name in names:
            states = [r.values.get(name) for r in recs if name in r.values]
            if not states:
                continue
            label = ", ".join(shown.fields[table_id][name].labels) or "secret"
            where = f"({label}, field {name} of {table_id.partition('.')[2]})"
            if len(states) == 1:
                lines.append(f"{secret_name(name)}: {states[0]} {where}")
            else:
                count = sum(1 for s in states if s == "set")
                lines.append(f"{secret_name(name)}: set in {count} of {len(states)} records {where}")
    for reason, count in sorted(shown.redactions.items()):
        lines.append(f"{count} × {reason}: replaced by a note saying what was there")
    return lines or ["Nothing was withheld or replaced."]


def secret_name(field_name: str) -> str:
    """Name a secret field by what it protects: `password_hash` is stated as `password`."""
    for suffix in ("_hash", "_hashed", "_digest", "_encrypted"):
        if field_name.endswith(suffix):
            return field_name.removesuffix(suffix)
    return field_name


def table_csv(manifest: Manifest, table_id: str, recs: list[records.Record]) -> str:
    """Return one table's records as CSV, with a header row even when there is no record."""
    infos = records.field_infos(manifest, table_id)
    columns = list(dict.fromkeys([*(recs[0].values if recs else []), *infos]))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for record in recs:
        writer.writerow([csv_cell(record.values.get(c)) for c in columns])
    return out.getvalue()


def csv_cell(value: Any) -> str:
    """Return a value as CSV text: nested values as JSON, text that looks like a formula defused."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    text = str(value)
    return "'" + text if isinstance(value, str) and text.startswith(FORMULA_STARTS) else text


def contents(files: Mapping[str, bytes], request_id: str, generated_at: dt.datetime) -> bytes:
    """Return manifest.json: every file of the package with its size and SHA-256."""
    listing = {
        "format_version": schema.FORMAT_VERSION,
        "request_id": request_id,
        "generated_at": window.as_utc(generated_at).isoformat(),
        "schema": schema.SCHEMA_ID,
        "files": [{"path": name, "bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}
                  for name, data in sorted(files.items())],
    }
    return (json.dumps(listing, indent=2) + "\n").encode("utf-8")


def zip_files(files: Mapping[str, bytes], generated_at: dt.datetime) -> bytes:
    """Return a ZIP of the files in name order, stamped with the package's time (same input, same bytes)."""
    moment = window.as_utc(generated_at)
    stamp = (max(moment.year, 1980), moment.month, moment.day, moment.hour, moment.minute, moment.second)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(files, key=lambda n: (n == CONTENTS_FILE, n)):
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, files[name])
    return buffer.getvalue()
