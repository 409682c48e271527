"""HTTP/SaaS services declared in YAML: find, erase and correct a subject's records through their API."""

from __future__ import annotations

import base64
import dataclasses
import email.utils
import hashlib
import json
import os
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

import httpx

from privacyops.connectors import http_spec
from privacyops.connectors.base import (
    DELETE,
    READ,
    TIMED_OUT,
    UPDATE,
    Change,
    ColumnShape,
    ConnectorError,
    ConnectorTimeout,
    Key,
    Match,
    Row,
    TableShape,
    apply_change,
)
from privacyops.connectors.http_spec import CHANGES, PLACEHOLDER, Endpoint, HttpSpec, Lookup, Resource

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
TIMEOUT_ERRORS = frozenset({"ConnectTimeout", "ReadTimeout", "WriteTimeout", "PoolTimeout"})


class HttpRetriesExhausted(ConnectorError):
    """The service kept failing (429, 5xx or no answer) after every allowed attempt."""


class HttpTimedOut(HttpRetriesExhausted, ConnectorTimeout):
    """Every attempt ended without an answer in time (the per-call ``timeout`` of the spec)."""


class HttpRequestRefused(ConnectorError):
    """The service answered with an error status that a retry would not change."""


class HttpCredentialsMissing(ConnectorError):
    """The environment variable named for the service's credentials is not set."""


@dataclasses.dataclass(frozen=True)
class _Call:
    """One HTTP request, with the endpoint template kept for messages that must not quote personal data."""

    method: str
    path: str
    template: str
    params: dict[str, Any]
    body: Any = None
    gone: tuple[int, ...] = (404, 410)


class HttpConnector:
    """A SaaS API as a connector: each declared resource is a table reached through its endpoints."""

    def __init__(self, spec: HttpSpec, *, base_url: str | None = None, env: Mapping[str, str] | None = None,
                 client: httpx.Client | None = None, scope: str = "",
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.spec = spec
        self.env = env
        self.scope = scope
        self.sleep = sleep
        self.client = client or _client(spec, base_url or spec.base_url)

    @classmethod
    def from_settings(cls, url: str | None = None, **settings: str) -> HttpConnector:
        """Build from `spec` (path of the YAML declaration) and an optional base URL overriding its own."""
        path = settings.get("spec")
        if not path:
            raise ConnectorError("the http connector needs a `spec` setting: the path of its declaration")
        return cls(http_spec.load_spec(path), base_url=url)

    def bound_to(self, scope: str) -> HttpConnector:
        """Return this connector with idempotency keys scoped to one request (e.g. its id)."""
        return HttpConnector(self.spec, env=self.env, client=self.client, scope=scope, sleep=self.sleep)

    def close(self) -> None:
        """Close the HTTP connection pool."""
        self.client.close()

    def capabilities(self) -> frozenset[str]:
        """Return READ, DELETE and UPDATE where some table declares the endpoint for it."""
        tables = self.spec.tables.values()
        have = {READ: any(t.access for t in tables), DELETE: any(t.erase for t in tables),
                UPDATE: any(t.correct for t in tables)}
        return frozenset(name for name, present in have.items() if present)

    def inspect(self, table: str) -> TableShape | None:
        """Describe a declared resource: its fields, and each lookup's fields as an "index"."""
        resource = self.spec.tables.get(table)
        if resource is None:
            return None
        names = dict.fromkeys([*resource.key, *resource.fields])
        columns = {n: ColumnShape(n, nullable=n not in resource.key) for n in names}
        return TableShape(table, columns, (resource.key, *(lookup.by for lookup in resource.access)))

    def find(self, table: str, match: Match, fields: Sequence[str]) -> list[Row]:
        """Return `fields` of every record the matching lookup returns, keeping only exact matches."""
        return [{f: row.get(f) for f in fields} for row in self._records(table, match)]

    def count(self, table: str, match: Match) -> int:
        """Return how many records a lookup finds."""
        return len(self._records(table, match))

    def delete(self, table: str, match: Match) -> int:
        """Call the erase endpoint once per record (or per value when it is addressed by the match)."""
        resource = self._resource(table)
        endpoint = _needs(resource.erase, table, "erase")
        touched = 0
        for values in self._targets(table, resource, endpoint, match):
            touched += self._write(table, "erase", endpoint, values, None)
        return touched

    def update(self, table: str, match: Match, changes: Mapping[str, Change]) -> int:
        """Call the correct endpoint once per matching record with the changed fields' new values."""
        resource = self._resource(table)
        endpoint = _needs(resource.correct, table, "correct")
        touched = 0
        for row in self._records(table, match):
            new = {name: apply_change(row.get(name), change) for name, change in changes.items()}
            new = {name: value for name, value in new.items() if value != row.get(name)}
            if new:
                touched += self._write(table, "correct", endpoint, row, new)
        return touched

    # -- reading ---------------------------------------------------------------------------------------

    def _resource(self, table: str) -> Resource:
        try:
            return self.spec.tables[table]
        except KeyError:
            known = ", ".join(sorted(self.spec.tables))
            raise ConnectorError(f"{table} is not declared in the http connector ({known} are)") from None

    def _lookup(self, table: str, fields: Sequence[str]) -> Lookup:
        resource = self._resource(table)
        for lookup in resource.access:
            if set(lookup.by) == set(fields):
                return lookup
        offered = "; ".join(", ".join(lookup.by) for lookup in resource.access) or "none"
        raise ConnectorError(f"{table} has no access endpoint that finds records by {', '.join(fields)} "
                             f"(declared lookups: {offered}); add one under access with by: [...]")

    def _records(self, table: str, match: Match) -> list[Row]:
        resource = self._resource(table)
        lookup = self._lookup(table, match.fields)
        found: dict[Key, Row] = {}
        for value in dict.fromkeys(match.values):
            wanted = dict(zip(match.fields, value, strict=True))
            for record in self._pages(table, lookup, wanted):
                row = {name: _dig(record, resource.path_of(name)) for name in resource.fields}
                row.update({k: _dig(record, resource.path_of(k)) for k in resource.key if k not in row})
                # A search endpoint may answer loosely; only records that really carry the value count.
                if all(_same(row.get(f), v) for f, v in wanted.items()):
                    found.setdefault(tuple(row.get(k) for k in resource.key), row)
        return list(found.values())

    def _pages(self, table: str, lookup: Lookup, values: Mapping[str, Any]) -> Iterator[Row]:
        call = self._call(lookup, values, None)
        pages = lookup.pagination
        page_number = pages.start if isinstance(pages, http_spec.NumberedPages) else 0
        next_url: str | None = None
        for _ in range(lookup.max_pages):
            params = dict(call.params)
            if isinstance(pages, http_spec.NumberedPages):
                params[pages.param] = page_number
                if pages.size_param and pages.size:
                    params[pages.size_param] = pages.size
            response = self._send(table, "read", dataclasses.replace(call, params=params), next_url)
            if response.status_code in lookup.gone_statuses:
                return
            records = _records_in(_json(response, table), lookup.records, table)
            yield from records
            if isinstance(pages, http_spec.CursorPages):
                cursor = _dig(_json(response, table), pages.next)
                if cursor in (None, ""):
                    return
                call.params[pages.param] = cursor
            elif isinstance(pages, http_spec.NumberedPages):
                if not records or (pages.size is not None and len(records) < pages.size):
                    return
                page_number += 1
            elif isinstance(pages, http_spec.LinkPages):
                next_url = response.links.get("next", {}).get("url")
                if not next_url:
                    return
            else:
                return
        raise ConnectorError(f"read on {table}: more than {lookup.max_pages} pages; raise max_pages "
                             "or narrow the lookup")

    def _targets(self, table: str, resource: Resource, endpoint: Endpoint,
                 match: Match) -> Iterator[Mapping[str, Any]]:
        if endpoint.placeholders() <= set(match.fields):
            # The endpoint is addressed by the values we already have: no need to read first.
            for value in dict.fromkeys(match.values):
                yield dict(zip(match.fields, value, strict=True))
            return
        yield from self._records(table, match)

    # -- writing ---------------------------------------------------------------------------------------

    def _write(self, table: str, operation: str, endpoint: Endpoint, values: Mapping[str, Any],
               changes: Mapping[str, Any] | None) -> int:
        call = self._call(endpoint, values, changes)
        response = self._send(table, operation, call, None)
        return 0 if response.status_code in endpoint.gone_statuses else 1

    def _call(self, endpoint: Endpoint, values: Mapping[str, Any],
              changes: Mapping[str, Any] | None) -> _Call:
        path = PLACEHOLDER.sub(lambda m: quote(_text(values.get(m.group(1))), safe=""), endpoint.path)
        params = {name: _fill_text(t, values) for name, t in endpoint.query.items()}
        slots = {**values, CHANGES: dict(changes or {})}
        body = _fill_body(endpoint.body, slots) if endpoint.body is not None else None
        return _Call(endpoint.method, path, endpoint.path, params, body, endpoint.gone_statuses)

    def _send(self, table: str, operation: str, call: _Call, url: str | None) -> httpx.Response:
        headers = self._auth_headers()
        if call.method != "GET" and self.spec.idempotency_header:
            headers[self.spec.idempotency_header] = self.idempotency_key(call)
        retries = self.spec.retries
        what = f"{operation} on {table}: {call.method} {call.template}"
        last = "no answer"
        for attempt in range(retries.attempts):
            try:
                response = self.client.request(call.method, url or call.path, headers=headers,
                                                params=None if url else call.params, json=call.body)
            except httpx.TransportError as exc:
                last, wait = type(exc).__name__, _backoff(retries, attempt)
            else:
                if response.status_code not in RETRY_STATUSES:
                    return _checked(response, what, call.gone)
                last = f"status {response.status_code}"
                asked = _retry_after(response) if response.status_code in (429, 503) else None
                wait = _backoff(retries, attempt) if asked is None else min(asked, retries.max_wait)
            if attempt + 1 < retries.attempts:
                self.sleep(wait)
        if last in TIMEOUT_ERRORS:
            raise HttpTimedOut(f"{what} {TIMED_OUT} {retries.attempts} times (last: {last})")
        raise HttpRetriesExhausted(f"{what} failed after {retries.attempts} attempts (last: {last})")

    def idempotency_key(self, call: _Call) -> str:
        """Return the key sent with a write: the same for the same request step, so retries are harmless."""
        material = json.dumps([self.scope, call.method, call.path, call.params, call.body],
                              sort_keys=True, default=str)
        return hashlib.sha256(material.encode()).hexdigest()[:40]

    def _auth_headers(self) -> dict[str, str]:
        auth = self.spec.auth
        if auth is None:
            return {}
        if isinstance(auth, http_spec.BearerAuth):
            return {"Authorization": f"Bearer {self._secret(auth.token_env)}"}
        if isinstance(auth, http_spec.ApiKeyAuth):
            return {auth.header: self._secret(auth.value_env)}
        user = auth.username if auth.username is not None else self._secret(auth.username_env or "")
        pair = f"{user}:{self._secret(auth.password_env)}".encode()
        return {"Authorization": "Basic " + base64.b64encode(pair).decode("ascii")}

    def _secret(self, name: str) -> str:
        value = (os.environ if self.env is None else self.env).get(name)
        if not value:
            raise HttpCredentialsMissing(f"the environment variable {name} is not set; the http connector "
                                         "reads the service's credentials from it")
        return value


def _client(spec: HttpSpec, url: str | None) -> httpx.Client:
    if not url:
        raise ConnectorError("the http connector needs a base URL: set base_url in its declaration "
                             "or url / url_env on the system")
    return httpx.Client(base_url=url, timeout=spec.timeout, headers=spec.headers)


def _needs(endpoint: Endpoint | None, table: str, kind: str) -> Endpoint:
    if endpoint is None:
        raise ConnectorError(f"{table} declares no {kind} endpoint in the http connector; add one "
                             f"under tables.{table}.{kind}")
    return endpoint


def _checked(response: httpx.Response, what: str, gone: tuple[int, ...]) -> httpx.Response:
    if response.is_success or response.status_code in gone:
        return response
    raise HttpRequestRefused(f"{what} was refused with status {response.status_code}")


def _backoff(retries: http_spec.Retries, attempt: int) -> float:
    return float(min(retries.backoff * (2 ** attempt), retries.max_wait))


def _retry_after(response: httpx.Response) -> float | None:
    """Return the seconds a `Retry-After` header (seconds or an HTTP date) asks to wait, if any."""
    value = response.headers.get("Retry-After")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _json(response: httpx.Response, table: str) -> Any:
    try:
        return response.json()
    except ValueError:
        raise ConnectorError(f"read on {table}: the service did not answer with JSON "
                             f"(status {response.status_code})") from None


def _records_in(document: Any, path: str, table: str) -> list[Row]:
    found = _dig(document, path)
    if found is None:
        return []
    if isinstance(found, dict):
        return [found]
    if isinstance(found, list) and all(isinstance(r, dict) for r in found):
        return found
    raise ConnectorError(f"read on {table}: `records: {path or '.'}` does not lead to a list of objects")


def _dig(document: Any, path: str) -> Any:
    """Follow a dot path (`data.items`, `results.0.id`) into parsed JSON; None where it leads nowhere."""
    value = document
    for step in (s for s in path.split(".") if s):
        if isinstance(value, dict):
            value = value.get(step)
        elif isinstance(value, list) and step.isdigit() and int(step) < len(value):
            value = value[int(step)]
        else:
            return None
    return value


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _fill_text(template: str, values: Mapping[str, Any]) -> str:
    return PLACEHOLDER.sub(lambda m: _text(values.get(m.group(1))), template)


def _fill_body(template: Any, slots: Mapping[str, Any]) -> Any:
    """Fill a JSON body template: a string that is exactly `{name}` takes the value with its own type."""
    if isinstance(template, str):
        whole = PLACEHOLDER.fullmatch(template)
        if whole:
            return slots.get(whole.group(1))
        return _fill_text(template, slots)
    if isinstance(template, dict):
        return {_fill_text(str(k), slots): _fill_body(v, slots) for k, v in template.items()}
    if isinstance(template, list):
        return [_fill_body(v, slots) for v in template]
    return template


def _same(found: Any, wanted: Any) -> bool:
    if found == wanted:
        return True
    return found is not None and wanted is not None and str(found) == str(wanted)
