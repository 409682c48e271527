from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import zipfile
from html.parser import HTMLParser
from typing import Any

import jsonschema
import pytest

from privacyops.engine.run import AccessResult, StepOutcome
from privacyops.manifest.schema import AutomatedDecision, Manifest
from privacyops.package import build, cover, schema
from tests.unit.package.conftest import BCRYPT, CARD, ME, NOW


def unzip(blob: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(blob)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def make(manifest: Manifest, result: AccessResult, **options: Any) -> dict[str, bytes]:
    blob = build.build_access_package(manifest, result, subject=ME, request_id="req_7", generated_at=NOW,
                                      **options)
    return unzip(blob)


def records_of(files: dict[str, bytes], table: str) -> list[dict[str, Any]]:
    data = json.loads(files["data.json"])
    return [r for r in data["records"] if r["table"] == table]


@pytest.mark.req("AC-2", "AC-3")
def test_the_zip_holds_json_csv_letters_schema_and_a_checksummed_listing(small: Manifest,
                                                                          access: AccessResult) -> None:
    files = make(small, access, lookback="all")
    assert set(files) == {"data.json", "cover-letter.md", "cover-letter.html", "manifest.json",
                          "schema/access-package.schema.json", "tables/app.users.csv",
                          "tables/app.invitations.csv", "tables/app.notes.csv", "tables/app.prefs.csv"}
    listing = json.loads(files["manifest.json"])
    assert {f["path"] for f in listing["files"]} == set(files) - {"manifest.json"}
    for entry in listing["files"]:
        assert entry["sha256"] == hashlib.sha256(files[entry["path"]]).hexdigest()
        assert entry["bytes"] == len(files[entry["path"]])
    data = json.loads(files["data.json"])
    jsonschema.validate(data, json.loads(files["schema/access-package.schema.json"]))
    assert data["request_id"] == "req_7" and data["subject"]["identities"] == {"email": ["me@example.com"],
                                                                               "user_id": ["u1"]}


def test_only_the_subjects_rows_with_categories_per_field(small: Manifest, access: AccessResult) -> None:
    files = make(small, access, lookback="all")
    assert {r["fields"]["id"]["value"] for r in records_of(files, "notes")} == {"n1", "n2", "n3"}
    (user,) = records_of(files, "users")
    assert user["system"] == "app"
    assert user["fields"]["email"] == {"value": "me@example.com", "categories": ["user.contact.email"],
                                       "labels": ["Email addresses"], "disclosure": "full"}
    rows = list(csv.DictReader(io.StringIO(files["tables/app.notes.csv"].decode())))
    assert [r["id"] for r in rows] == ["n1", "n2", "n3"]
    assert rows[1]["text"].startswith("'=HYPERLINK")  # a formula is defused in the CSV only
    assert records_of(files, "notes")[1]["fields"]["text"]["value"].startswith("=HYPERLINK")


@pytest.mark.req("AC-4")
def test_secrets_are_stated_never_shown(small: Manifest, access: AccessResult) -> None:
    files = make(small, access, lookback="all")
    (user,) = records_of(files, "users")
    assert user["fields"]["password_hash"]["value"] == "set"
    assert user["fields"]["password_hash"]["disclosure"] == "existence_only"
    # A credential the manifest did not mark existence_only is still only stated.
    assert user["fields"]["recovery_answer"] == {**user["fields"]["recovery_answer"], "value": "set",
                                                 "disclosure": "existence_only"}
    text = "\n".join(f.decode() for f in files.values())
    assert BCRYPT not in text and "my first cat" not in text
    assert CARD not in text and CARD.replace(" ", "") not in text
    assert "[card number withheld, ending 6467]" in text
    assert "password: set" in files["cover-letter.md"].decode()


@pytest.mark.req("AC-2")
def test_other_peoples_data_is_masked(small: Manifest, access: AccessResult) -> None:
    files = make(small, access, lookback="all")
    text = "\n".join(f.decode() for f in files.values())
    for theirs in ("friend@example.net", "other@example.org", "accounts@example.com", "u2", "x@example.net"):
        assert not re.search(rf"(?<![\w.@]){re.escape(theirs)}(?![\w.@])", text), theirs
    sent, received = sorted(records_of(files, "invitations"), key=lambda r: r["fields"]["id"]["value"])
    assert sent["fields"]["email"]["value"] == "[redacted: another person's email address]"
    assert sent["fields"]["email"]["disclosure"] == "redacted"
    assert received["fields"]["invited_by"]["value"] == "[redacted: another person's user id]"
    note = records_of(files, "notes")[0]["fields"]["text"]["value"]
    assert "me@example.com" in note and "[redacted: another person's email address]" in note
    data = json.loads(files["data.json"])
    assert data["redactions"]["another person's email address"] == 3


@pytest.mark.req("AC-5")
def test_the_default_twelve_months_leave_older_rows_out_and_say_so(small: Manifest,
                                                                   access: AccessResult) -> None:
    files = make(small, access)
    data = json.loads(files["data.json"])
    assert {r["fields"]["id"]["value"] for r in records_of(files, "notes")} == {"n1", "n3"}
    assert data["lookback"]["mode"] == "12_months"
    # The account row is never aged out: it was opened in 2021 but is held today.
    assert data["lookback"]["rows_left_out"] == {"app.invitations": 1, "app.notes": 1}
    assert {r["fields"]["id"]["value"] for r in records_of(files, "users")} == {"u1"}
    letter = files["cover-letter.md"].decode()
    assert "2 older record(s) are not in this package" in letter
    extended = json.loads(make(small, access, lookback="extended")["data.json"])
    assert extended["lookback"]["rows_left_out"] == {}
    assert len([r for r in extended["records"] if r["table"] == "notes"]) == 3


class Sections(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.items: dict[str, int] = {}
        self.current = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "section":
            self.current = dict(attrs).get("id") or ""
            self.items[self.current] = 0
        elif tag == "li" and self.current:
            self.items[self.current] += 1


@pytest.mark.req("AC-1")
def test_every_art15_item_is_present_and_not_empty(small: Manifest, access: AccessResult) -> None:
    files = make(small, access)
    information = json.loads(files["data.json"])["information"]
    assert set(information) == set(cover.ART15_SECTIONS)
    assert all(information[key] and all(information[key]) for key in cover.ART15_SECTIONS)
    parser = Sections()
    parser.feed(files["cover-letter.html"].decode())
    assert all(parser.items.get(key, 0) > 0 for key in cover.ART15_SECTIONS), parser.items
    markdown = files["cover-letter.md"].decode()
    for key in cover.ART15_SECTIONS:
        assert f"## {cover.TITLES[key]}" in markdown
    assert any("Information Commissioner" in line for line in information["complaint"])
    assert any("sign-in provider you use (Google, GitHub or AzureAD)" in s for s in information["source"])
    assert information["automated_decisions"][0].startswith("We take no decision about you")
    assert any("standard contractual clauses" in t for t in information["transfers"])


@pytest.mark.req("AC-1")
def test_a_region_narrows_rights_and_complaints(small: Manifest, access: AccessResult) -> None:
    blob = build.build_access_package(small, access, subject={**ME, "region": "uk"}, request_id="r",
                                      generated_at=NOW)
    information = json.loads(unzip(blob)["data.json"])["information"]
    assert information["complaint"] == ["United Kingdom: Information Commissioner's Office "
                                        "(https://ico.org.uk/make-a-complaint/)"]
    assert len(information["rights"]) == 1


@pytest.mark.req("AC-1")
def test_declared_automated_decisions_are_listed(small: Manifest, access: AccessResult) -> None:
    decision = AutomatedDecision(name="Fraud score", description="Payments are scored for fraud.",
                                 legal_effect=True, human_review="write to legal@langfuse.com")
    manifest = small.model_copy(update={"automated_decisions": (decision,)})
    information = json.loads(make(manifest, access)["data.json"])["information"]
    assert information["automated_decisions"] == [
        "Fraud score: Payments are scored for fraud. It has legal or similarly significant effects; to have "
        "a person review it: write to legal@langfuse.com"]


@pytest.mark.req("AC-6")
def test_unsearched_backups_and_failed_tables_are_named_by_category(small: Manifest,
                                                                    access: AccessResult) -> None:
    failed = AccessResult(rows=dict(access.rows), steps=[*access.steps, StepOutcome(
        9, "app.archive", "read", "failed", 0, "the connector of app cannot read")])
    files = make(small, failed)
    skipped = json.loads(files["data.json"])["not_searched"]
    assert skipped[0]["what"] == "Backups of App"
    assert {"Email addresses", "Passwords", "Names"} <= set(skipped[0]["categories"])
    assert skipped[1] == {"what": "app.archive", "categories": [],
                          "reason": "the connector of app cannot read"}
    letter = files["cover-letter.md"].decode()
    assert "Backups of App (Names, Email addresses" in letter and "app.archive" in letter


def test_the_same_input_gives_the_same_bytes(small: Manifest, access: AccessResult) -> None:
    first = build.build_access_package(small, access, subject=ME, request_id="r", generated_at=NOW)
    second = build.build_access_package(small, access, subject=ME, request_id="r", generated_at=NOW)
    assert first == second


@pytest.mark.req("AC-3")
def test_an_invalid_document_is_never_packaged(small: Manifest, access: AccessResult,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cover.CoverLetter, "information", lambda self: {"source": []})
    with pytest.raises(schema.PackageSchemaError, match="data.json at information"):
        build.build_access_package(small, access, subject=ME, request_id="r", generated_at=NOW)


@pytest.mark.parametrize(("value", "cell"), [(None, ""), (True, "true"), ({"a": 1}, '{"a": 1}'),
                                             ("+1", "'+1"), ("@x", "'@x"), (-1, "-1"), ("ok", "ok")])
def test_csv_cells(value: Any, cell: str) -> None:
    assert build.csv_cell(value) == cell
