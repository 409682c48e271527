"""The outside world of a chaos trial: an SMTP server and a webhook endpoint that count what arrives.

Each counts deliveries by idempotency key (Message-ID for mail, ``Idempotency-Key`` for webhooks), as a
receiver that drops copies would: a key seen twice is one effect delivered twice, two keys for the same
thing are two effects.
"""

from __future__ import annotations

import email
import json
import threading
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from email.policy import default as default_policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from aiosmtpd.controller import Controller

from tests import support


@dataclass
class CountingMailbox:
    """A real SMTP server on 127.0.0.1 keeping, per Message-ID, what was delivered and how often."""

    port: int = field(default_factory=support.free_port)
    by_id: dict[str, tuple[str, str]] = field(default_factory=dict)  # Message-ID -> (to, subject)
    deliveries: Counter[str] = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        message = email.message_from_bytes(envelope.content, policy=default_policy)
        key = str(message["Message-ID"])
        with self.lock:
            self.by_id[key] = (str(message["To"]), str(message["Subject"]))
            self.deliveries[key] += 1
        return "250 OK"

    def effects(self) -> Counter[tuple[str, str]]:
        """How many distinct messages (by Message-ID) each (recipient, subject) received."""
        with self.lock:
            return Counter(self.by_id.values())

    def start(self) -> Controller:
        controller = Controller(self, hostname="127.0.0.1", port=self.port)
        controller.start()
        return controller


class WebhookReceiver:
    """A real HTTP server on 127.0.0.1 taking OpenDSR status callbacks, counted by Idempotency-Key."""

    def __init__(self) -> None:
        self.keys: dict[str, tuple[str, str]] = {}  # key -> (subject_request_id, status)
        self.deliveries: Counter[str] = Counter()
        self.unkeyed = 0
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - the name http.server calls
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
                key = self.headers.get("Idempotency-Key")
                with receiver.lock:
                    if key is None:
                        receiver.unkeyed += 1
                    else:
                        receiver.keys[key] = (body["subject_request_id"], body["request_status"])
                        receiver.deliveries[key] += 1
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                return None

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/opendsr/callbacks"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def effects(self) -> dict[str, Counter[str]]:
        """Per OpenDSR request, how many distinct callbacks (by key) each status produced."""
        found: dict[str, Counter[str]] = defaultdict(Counter)
        with self.lock:
            for request_id, status in self.keys.values():
                found[request_id][status] += 1
        return dict(found)

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
