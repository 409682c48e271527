"""The HTTP connector against a real CRM-like server on 127.0.0.1 that records every call."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from privacyops.connectors import registry
from privacyops.connectors.base import DELETE, READ, UPDATE, MapValues, Match, SetNull
from privacyops.connectors.http import (
    HttpConnector,
    HttpCredentialsMissing,
    HttpRequestRefused,
    HttpRetriesExhausted,
)
from privacyops.connectors.http_spec import parse_spec
from tests.integration.connectors.fake_crm import FakeCrm, Scripted

SPEC = """
auth: {type: bearer, token_env: CRM_TOKEN}
timeout: 5
retries: {attempts: 3, backoff: 0.01, max_wait: 5}
tables:
  contacts:
    key: id
    fields: {id: id, email: properties.email, firstname: properties.firstname, company: properties.company}
    access:
      - by: email
        path: /contacts/search
        query: {email: "{email}"}
        records: results
        pagination: {type: cursor, param: after, next: paging.next.after}
      - by: company
        path: /contacts
        query: {company: "{company}"}
        records: data.items
        pagination: {type: page, param: page, size_param: per_page, size: 2}
    erase: {method: DELETE, path: "/contacts/{id}"}
    correct: {method: PATCH, path: "/contacts/{id}", body: {properties: "{changes}"}}
  linked_contacts:
    fields: {id: id, email: properties.email}
    access:
      - by: email
        path: /linked/contacts
        query: {email: "{email}"}
        pagination: {type: link}
    erase: {method: POST, path: /gdpr-delete, body: {email: "{email}"}}
"""
ANN = "ann@example.com"


@pytest.fixture
def crm() -> Iterator[FakeCrm]:
    server = FakeCrm().start()
    server.add("c1", ANN, "Ann")
    server.add("c2", "bob@example.com", "Bob")
    server.add("c3", ANN, "Annie")
    server.add("c4", ANN + ".au", "Other Ann")  # the loose search also returns this one
    server.add("c5", ANN, "A.", company="globex")
    yield server
    server.stop()


class Sleeps(list[float]):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)
        time.sleep(seconds)


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
def http(crm: FakeCrm, sleeps: Sleeps) -> Iterator[HttpConnector]:
    connector = HttpConnector(parse_spec(SPEC), base_url=crm.url, env={"CRM_TOKEN": crm.token}, sleep=sleeps)
    yield connector
    connector.close()


def ids(rows: list[dict[str, object]]) -> list[object]:
    return sorted(r["id"] for r in rows)


def test_capabilities_follow_the_declared_endpoints(http: HttpConnector) -> None:
    assert http.capabilities() == {READ, DELETE, UPDATE}
    read_only = HttpConnector(parse_spec("tables: {t: {access: [{by: id, path: /t}]}}"), base_url="http://x")
    assert read_only.capabilities() == {READ}


def test_cursor_pagination_reads_every_page_and_keeps_only_exact_matches(http: HttpConnector,
                                                                         crm: FakeCrm) -> None:
    rows = http.find("contacts", Match.of("email", [ANN]), ["id", "email", "firstname"])
    assert ids(rows) == ["c1", "c3", "c5"]
    assert {r["email"] for r in rows} == {ANN}
    cursors = [c.query.get("after") for c in crm.calls if c.path == "/contacts/search"]
    assert cursors == [None, "2"]


def test_page_number_pagination_stops_at_a_short_page(http: HttpConnector, crm: FakeCrm) -> None:
    for n in range(6, 9):
        crm.add(f"c{n}", f"p{n}@example.com", "P")
    rows = http.find("contacts", Match.of("company", ["acme"]), ["id"])
    assert ids(rows) == ["c1", "c2", "c3", "c4", "c6", "c7", "c8"]
    pages = [(c.query["page"], c.query["per_page"]) for c in crm.calls if c.path == "/contacts"]
    assert pages == [("1", "2"), ("2", "2"), ("3", "2"), ("4", "2")]


def test_link_header_pagination_follows_rel_next(http: HttpConnector, crm: FakeCrm) -> None:
    rows = http.find("linked_contacts", Match.of("email", [ANN]), ["id", "email"])
    assert ids(rows) == ["c1", "c3", "c5"]
    offsets = [c.query.get("offset") for c in crm.calls if c.path == "/linked/contacts"]
    assert offsets == [None, "2"]


def test_every_call_carries_the_bearer_token_from_the_environment(http: HttpConnector, crm: FakeCrm) -> None:
    http.count("contacts", Match.of("email", [ANN]))
    assert crm.calls
    assert all(c.headers["authorization"] == "Bearer s3cret-token" for c in crm.calls)


def test_a_wrong_token_is_refused_with_a_named_error(crm: FakeCrm) -> None:
    connector = HttpConnector(parse_spec(SPEC), base_url=crm.url, env={"CRM_TOKEN": "wrong"})
    with pytest.raises(HttpRequestRefused, match="status 401"):
        connector.find("contacts", Match.of("email", [ANN]), ["id"])
    assert len(crm.calls) == 1  # a 401 is not retried


def test_a_missing_token_variable_is_named(crm: FakeCrm) -> None:
    connector = HttpConnector(parse_spec(SPEC), base_url=crm.url, env={})
    with pytest.raises(HttpCredentialsMissing, match="CRM_TOKEN"):
        connector.find("contacts", Match.of("email", [ANN]), ["id"])
    assert crm.calls == []


@pytest.mark.parametrize(("auth", "header", "expected"), [
    ("{type: api_key, header: X-Api-Key, value_env: CRM_TOKEN}", "x-api-key", "s3cret-token"),
    ("{type: basic, username: ops, password_env: CRM_TOKEN}", "authorization",
     "Basic b3BzOnMzY3JldC10b2tlbg=="),
])
def test_other_auth_schemes_send_their_header(crm: FakeCrm, auth: str, header: str, expected: str) -> None:
    spec = parse_spec(SPEC.replace("{type: bearer, token_env: CRM_TOKEN}", auth))
    connector = HttpConnector(spec, base_url=crm.url, env={"CRM_TOKEN": crm.token})
    with pytest.raises(HttpRequestRefused):  # the fake only accepts bearer tokens
        connector.count("contacts", Match.of("email", [ANN]))
    assert crm.calls[0].headers[header] == expected


def test_a_retried_erasure_repeats_the_same_idempotency_key(http: HttpConnector, crm: FakeCrm,
                                                            sleeps: Sleeps) -> None:
    crm.script.append(Scripted(503))
    assert http.delete("contacts", Match.of("id", ["c1"])) == 1
    deletes = [c for c in crm.calls if c.method == "DELETE"]
    assert len(deletes) == 2
    keys = {c.headers["idempotency-key"] for c in deletes}
    assert len(keys) == 1 and len(next(iter(keys))) == 40
    assert sleeps == [0.01]
    assert "c1" not in crm.contacts


def test_idempotency_keys_differ_per_record_and_per_request_scope(http: HttpConnector, crm: FakeCrm) -> None:
    first = http.bound_to("request-1")
    first.delete("contacts", Match.of("id", ["c1", "c2"]))
    http.bound_to("request-2").delete("contacts", Match.of("id", ["c3"]))
    keys = [c.headers["idempotency-key"] for c in crm.writes()]
    assert len(set(keys)) == 3
    again = first.bound_to("request-1")
    again.delete("contacts", Match.of("id", ["c1"]))  # a re-run of the same step: same key, already gone
    assert crm.writes()[-1].headers["idempotency-key"] == keys[0]


def test_reads_carry_no_idempotency_key(http: HttpConnector, crm: FakeCrm) -> None:
    http.find("contacts", Match.of("email", [ANN]), ["id"])
    assert all("idempotency-key" not in c.headers for c in crm.calls)


def test_429_waits_as_retry_after_asks_then_succeeds(http: HttpConnector, crm: FakeCrm,
                                                     sleeps: Sleeps) -> None:
    crm.script.append(Scripted(429, {"Retry-After": "1"}))
    started = time.monotonic()
    rows = http.find("contacts", Match.of("email", [ANN]), ["id"])
    assert time.monotonic() - started >= 1.0
    assert sleeps == [1.0]
    assert ids(rows) == ["c1", "c3", "c5"]


def test_500_until_the_attempts_run_out_raises_a_named_error(http: HttpConnector, crm: FakeCrm,
                                                            sleeps: Sleeps) -> None:
    crm.script.extend([Scripted(500)] * 5)
    with pytest.raises(HttpRetriesExhausted) as raised:
        http.delete("contacts", Match.of("id", ["c1"]))
    assert len(crm.calls) == 3
    assert sleeps == [0.01, 0.02]  # exponential backoff between the three attempts
    assert "status 500" in str(raised.value) and "/contacts/{id}" in str(raised.value)
    assert "c1" in crm.contacts


def test_an_unreachable_service_is_retried_then_named() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    waits: list[float] = []
    connector = HttpConnector(parse_spec(SPEC), base_url=f"http://127.0.0.1:{port}",
                              env={"CRM_TOKEN": "t"}, sleep=waits.append)
    with pytest.raises(HttpRetriesExhausted, match="ConnectError"):
        connector.count("contacts", Match.of("email", [ANN]))
    assert waits == [0.01, 0.02]


def test_erase_by_identity_then_find_returns_nothing(http: HttpConnector, crm: FakeCrm) -> None:
    match = Match.of("email", [ANN])
    assert http.delete("contacts", match) == 3
    assert http.find("contacts", match, ["id"]) == []
    assert http.count("contacts", match) == 0
    assert sorted(crm.contacts) == ["c2", "c4"]
    assert http.delete("contacts", Match.of("id", ["c1"])) == 0  # already gone: 404 counts as done


def test_erasure_by_post_with_a_body_template(http: HttpConnector, crm: FakeCrm) -> None:
    assert http.delete("linked_contacts", Match.of("email", [ANN])) == 1
    posted = crm.writes()
    assert [(c.method, c.path, c.body) for c in posted] == [("POST", "/gdpr-delete", {"email": ANN})]
    assert http.count("linked_contacts", Match.of("email", [ANN])) == 0


def test_correction_patches_only_changed_fields_of_matching_records(http: HttpConnector,
                                                                   crm: FakeCrm) -> None:
    touched = http.update("contacts", Match.of("email", [ANN]),
                          {"firstname": MapValues((("Ann", "Anne"),)), "company": SetNull()})
    assert touched == 3
    bodies = {c.path: c.body for c in crm.writes()}
    assert bodies["/contacts/c1"] == {"properties": {"firstname": "Anne", "company": None}}
    assert bodies["/contacts/c3"] == {"properties": {"company": None}}
    assert crm.contacts["c1"]["properties"]["firstname"] == "Anne"
    assert crm.contacts["c2"]["properties"]["company"] == "acme"


def test_a_lookup_that_is_not_declared_is_a_named_error(http: HttpConnector) -> None:
    with pytest.raises(Exception, match="no access endpoint that finds records by firstname"):
        http.find("contacts", Match.of("firstname", ["Ann"]), ["id"])


def test_the_registry_builds_it_from_a_spec_file(crm: FakeCrm, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    spec = tmp_path / "crm.yml"
    spec.write_text(SPEC)
    monkeypatch.setenv("CRM_TOKEN", crm.token)
    connector = registry.create("http", crm.url, {"spec": str(spec)})
    assert connector.count("contacts", Match.of("email", [ANN])) == 3
