"""The HTTP connector's YAML declaration: what it accepts, and errors that name the file, line and key."""

from __future__ import annotations

from pathlib import Path

import pytest

from privacyops.connectors import http_spec
from privacyops.connectors.http_spec import HttpSpecError, load_spec, parse_spec

GOOD = """\
base_url: https://api.crm.example
auth: {type: bearer, token_env: CRM_TOKEN}
tables:
  contacts:
    fields: {id: id, email: properties.email}
    access:
      - by: email
        path: contacts/search
        query: {q: "{email}"}
        records: results
        pagination: {type: cursor, param: after, next: paging.next.after}
    erase: {method: DELETE, path: "/contacts/{id}"}
    correct: {method: PATCH, path: "/contacts/{id}", body: {properties: "{changes}"}}
"""


def test_a_complete_declaration_loads() -> None:
    spec = parse_spec(GOOD)
    contacts = spec.tables["contacts"]
    assert contacts.key == ("id",)
    assert contacts.path_of("email") == "properties.email"
    lookup = contacts.access[0]
    assert lookup.by == ("email",) and lookup.path == "/contacts/search" and lookup.method == "GET"
    assert isinstance(lookup.pagination, http_spec.CursorPages)
    assert isinstance(spec.auth, http_spec.BearerAuth)
    assert spec.idempotency_header == "Idempotency-Key" and spec.retries.attempts == 4


def test_a_field_list_is_short_for_same_named_paths() -> None:
    spec = parse_spec("tables: {t: {fields: [id, email], access: [{by: email, path: /t}]}}")
    assert spec.tables["t"].fields == {"id": "id", "email": "email"}


@pytest.mark.parametrize(("replace", "by", "located"), [
    ("token_env: CRM_TOKEN", "token: abc123", "2:1: auth: `token` would put a secret in the file"),
    ("token_env: CRM_TOKEN", "token_env: crm-token",
     "2:22: auth.token_env: 'crm-token' is not an environment"),
    ("type: bearer", "type: oauth", "2:1: auth: Input tag 'oauth'"),
    ("base_url: https://api.crm.example", "base_url: https://u:p@api.crm.example",
     "1:1: base_url: the URL holds credentials"),
    ("records: results", "recrods: results", "10:9: tables.contacts.access[0].recrods: unknown key"),
    ("next: paging.next.after", "nxt: paging",
     "11:9: tables.contacts.access[0].pagination.next: Field required"),
    ('"/contacts/{id}"}\n    correct', '"/contacts/{uid}"}\n    correct',
     "4:3: tables.contacts: erase uses {uid}, which is not one of email, id"),
    ('query: {q: "{email}"}', 'query: {q: "{id}"}',
     "4:3: tables.contacts: access[0] uses {id}, which is not"),
    ("method: PATCH", "method: DELETE", "correct: method must be PATCH, PUT or POST"),
    ("path: contacts/search", "path: https://evil.example/x", "access[0].path: write the path only"),
])
def test_errors_name_line_and_key(replace: str, by: str, located: str) -> None:
    assert replace in GOOD
    with pytest.raises(HttpSpecError) as raised:
        parse_spec(GOOD.replace(replace, by, 1), "crm.yml")
    assert located in str(raised.value)
    assert str(raised.value).startswith("crm.yml:")


@pytest.mark.parametrize(("auth", "message"), [
    ("{type: basic, password: hunter2, username: ops}", "`password` would put a secret"),
    ("{type: basic, password_env: PW}", "exactly one of username or username_env"),
    ("{type: api_key, value: k}", "`value` would put a secret"),
])
def test_auth_never_holds_a_secret(auth: str, message: str) -> None:
    with pytest.raises(HttpSpecError, match=message):
        parse_spec(f"auth: {auth}\ntables: {{}}")


def test_secret_headers_belong_under_auth() -> None:
    with pytest.raises(HttpSpecError, match="header Authorization would put a secret"):
        parse_spec("headers: {Authorization: Bearer x}\ntables: {}")


def test_yaml_problems_and_unreadable_files_are_located(tmp_path: Path) -> None:
    with pytest.raises(HttpSpecError, match="bad.yml:3:1: error yaml-syntax"):
        parse_spec("tables:\n  - [unclosed\n", "bad.yml")
    with pytest.raises(HttpSpecError, match="cannot read the HTTP connector declaration"):
        load_spec(tmp_path / "missing.yml")
    good = tmp_path / "crm.yml"
    good.write_text(GOOD)
    assert "contacts" in load_spec(good).tables


def test_the_example_in_the_connector_guide_loads() -> None:
    guide = Path(__file__).parents[3] / "docs" / "connectors.md"
    text = guide.read_text()
    start = text.index("### Example: a HubSpot-like contacts API")
    block = text[text.index("```yaml\n", start) + len("```yaml\n"):]
    spec = parse_spec(block[:block.index("```")], str(guide))
    assert set(spec.tables) == {"contacts", "newsletter_members"}
    assert [lookup.by for lookup in spec.tables["contacts"].access] == [("email",), ("id",)]
    assert isinstance(spec.tables["newsletter_members"].access[0].pagination, http_spec.LinkPages)
