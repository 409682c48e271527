"""A small CRM-like HTTP service on 127.0.0.1 that records every call, for the HTTP connector tests."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

PAGE = 2


@dataclass
class Call:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: Any


@dataclass
class Scripted:
    status: int
    headers: dict[str, str] = field(default_factory=dict)


class FakeCrm:
    """Contacts behind search (cursor), list (page numbers), linked list (Link header) and write endpoints."""

    def __init__(self, token: str = "s3cret-token") -> None:
        self.token = token
        self.contacts: dict[str, dict[str, Any]] = {}
        self.calls: list[Call] = []
        self.script: list[Scripted] = []
        self.seen_keys: dict[str, int] = {}
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> FakeCrm:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def add(self, cid: str, email: str, name: str, company: str = "acme") -> None:
        properties = {"email": email, "firstname": name, "company": company}
        self.contacts[cid] = {"id": cid, "properties": properties}

    def writes(self) -> list[Call]:
        return [c for c in self.calls if c.method != "GET"]

    # -- routing ---------------------------------------------------------------------------------------

    def respond(self, call: Call) -> tuple[int, dict[str, str], Any]:
        with self.lock:
            self.calls.append(call)
            if self.script:
                step = self.script.pop(0)
                return step.status, step.headers, {"error": "scripted"}
            if call.headers.get("authorization") != f"Bearer {self.token}":
                return 401, {}, {"error": "unauthorised"}
            return self._route(call)

    def _route(self, call: Call) -> tuple[int, dict[str, str], Any]:
        parts = [unquote(p) for p in call.path.strip("/").split("/")]
        if call.method == "GET" and parts == ["contacts", "search"]:
            return self._search(call.query)
        if call.method == "GET" and parts == ["contacts"]:
            return self._numbered(call.query)
        if call.method == "GET" and parts == ["linked", "contacts"]:
            return self._linked(call.query)
        if call.method == "DELETE" and parts[:1] == ["contacts"] and len(parts) == 2:
            return self._delete(parts[1], call)
        if call.method == "PATCH" and parts[:1] == ["contacts"] and len(parts) == 2:
            return self._patch(parts[1], call.body)
        if call.method == "POST" and parts == ["gdpr-delete"]:
            doomed = [k for k, c in self.contacts.items() if c["properties"]["email"] == call.body["email"]]
            for key in doomed:
                del self.contacts[key]
            return 200, {}, {"deleted": len(doomed)}
        return 404, {}, {"error": "no route"}

    def _by_email(self, email: str | None) -> list[dict[str, Any]]:
        rows = sorted(self.contacts.values(), key=lambda c: c["id"])
        # Like many SaaS searches, the match is loose (prefix): the connector must filter exactly.
        return [c for c in rows if email and c["properties"]["email"].startswith(email)]

    def _search(self, query: dict[str, str]) -> tuple[int, dict[str, str], Any]:
        rows = self._by_email(query.get("email"))
        start = int(query.get("after", "0"))
        page = rows[start:start + PAGE]
        body: dict[str, Any] = {"results": page}
        if start + PAGE < len(rows):
            body["paging"] = {"next": {"after": str(start + PAGE)}}
        return 200, {}, body

    def _numbered(self, query: dict[str, str]) -> tuple[int, dict[str, str], Any]:
        rows = [c for c in sorted(self.contacts.values(), key=lambda c: c["id"])
                if c["properties"]["company"] == query.get("company")]
        size = int(query.get("per_page", "100"))
        number = int(query.get("page", "1"))
        return 200, {}, {"data": {"items": rows[(number - 1) * size:number * size]}}

    def _linked(self, query: dict[str, str]) -> tuple[int, dict[str, str], Any]:
        rows = self._by_email(query.get("email"))
        offset = int(query.get("offset", "0"))
        headers = {}
        if offset + PAGE < len(rows):
            target = f'{self.url}/linked/contacts?email={query["email"]}&offset={offset + PAGE}'
            headers["Link"] = f'<{target}>; rel="next"'
        return 200, headers, rows[offset:offset + PAGE]

    def _delete(self, cid: str, call: Call) -> tuple[int, dict[str, str], Any]:
        key = call.headers.get("idempotency-key", "")
        self.seen_keys[key] = self.seen_keys.get(key, 0) + 1
        if cid not in self.contacts:
            return 404, {}, {"error": "not found"}
        del self.contacts[cid]
        return 204, {}, None

    def _patch(self, cid: str, body: Any) -> tuple[int, dict[str, str], Any]:
        if cid not in self.contacts:
            return 404, {}, {"error": "not found"}
        for name, value in body["properties"].items():
            self.contacts[cid]["properties"][name] = value
        return 200, {}, self.contacts[cid]

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        crm = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - keep test output quiet
                return

            def _serve(self) -> None:
                url = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                call = Call(self.command, url.path, {k: v[0] for k, v in parse_qs(url.query).items()},
                            {k.lower(): v for k, v in self.headers.items()},
                            json.loads(raw) if raw else None)
                status, headers, body = crm.respond(call)
                payload = b"" if body is None or status == 204 else json.dumps(body).encode()
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _serve

        return Handler
