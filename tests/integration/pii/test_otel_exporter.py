from __future__ import annotations

import json
import logging
import threading
from collections.abc import Sequence
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import (
    BatchSpanProcessor,
    SimpleSpanProcessor,
    SpanExporter,
    SpanExportResult,
)
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import Status, StatusCode

from privacyops.pii.masking import PolicyMasker
from privacyops.pii.otel import MaskingSpanExporter
from privacyops.pii.policy import MaskPolicy


def _provider(exporter: SpanExporter, batch: bool = False) -> TracerProvider:
    provider = TracerProvider(resource=Resource.create({"service.name": "svc", "owner": "ops@example.com"}))
    processor = BatchSpanProcessor(exporter) if batch else SimpleSpanProcessor(exporter)
    provider.add_span_processor(processor)
    return provider


def _emit(provider: TracerProvider) -> None:
    tracer = provider.get_tracer("third-party-instrumentation")
    with tracer.start_as_current_span("GET /users/jane@example.com") as span:
        span.set_attribute("user.email", "jane@example.com")
        span.set_attribute("http.client_ip", "203.0.113.7")
        span.set_attribute("db.password", "hunter2")
        span.set_attribute("retries", 3)
        span.set_attribute("phones", ["+44 20 7946 0958", "none"])
        span.add_event("payment", {"card": "4111 1111 1111 1111", "ok": True})
        span.set_status(Status(StatusCode.ERROR, "no account for jane@example.com"))


def test_spans_are_masked_before_the_inner_exporter_sees_them() -> None:
    memory = InMemorySpanExporter()
    provider = _provider(MaskingSpanExporter(memory))
    _emit(provider)
    provider.shutdown()
    [span] = memory.get_finished_spans()
    assert span.name == "GET /users/<EMAIL_ADDRESS>"
    assert span.attributes is not None
    assert span.attributes["user.email"] == "<EMAIL_ADDRESS>"
    assert span.attributes["http.client_ip"] == "<IP_ADDRESS>"
    assert span.attributes["db.password"] == "<SECRET>"
    assert span.attributes["retries"] == 3
    assert span.attributes["phones"] == ("<PHONE_NUMBER>", "none")
    assert span.events[0].attributes == {"card": "<CREDIT_CARD>", "ok": True}
    assert span.status.description == "no account for <EMAIL_ADDRESS>"
    assert span.resource.attributes["owner"] == "<EMAIL_ADDRESS>"
    assert span.context.trace_id != 0 and span.status.status_code == StatusCode.ERROR


class _Collector(BaseHTTPRequestHandler):
    received: list[bytes] = []

    def do_POST(self) -> None:  # noqa: N802
        length = int(self.headers["Content-Length"])
        _Collector.received.append(self.rfile.read(length))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


class _JsonHttpExporter(SpanExporter):
    """Posts spans as JSON to a real HTTP collector on 127.0.0.1."""

    def __init__(self, url: str) -> None:
        self.url = url

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        import httpx

        body = "[" + ",".join(span.to_json(indent=None) for span in spans) + "]"
        httpx.post(self.url, content=body.encode())
        return SpanExportResult.SUCCESS

    def shutdown(self) -> None:
        pass


def test_nothing_unmasked_reaches_a_real_collector_through_the_batch_processor() -> None:
    _Collector.received = []
    server = HTTPServer(("127.0.0.1", 0), _Collector)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/v1/traces"
        provider = _provider(MaskingSpanExporter(_JsonHttpExporter(url)), batch=True)
        for _ in range(5):
            _emit(provider)
        provider.shutdown()
    finally:
        server.shutdown()
    body = b"".join(_Collector.received).decode()
    assert len(json.loads(_Collector.received[0])) >= 1
    assert body.count("<EMAIL_ADDRESS>") >= 5
    # Pieces with a space: random hex trace and span ids can hold "4111" or "7946" by chance.
    for value in ("jane@example.com", "203.0.113.7", "hunter2", "4111 1111", "7946 0958"):
        assert value not in body


class _Broken:
    def analyze_many(self, texts: Any, contexts: Any = None) -> Any:
        raise RuntimeError("boom")


def test_a_batch_that_cannot_be_masked_is_not_exported(caplog: pytest.LogCaptureFixture) -> None:
    memory = InMemorySpanExporter()
    masker = PolicyMasker(MaskPolicy(), engine=_Broken())  # type: ignore[arg-type]
    provider = _provider(MaskingSpanExporter(memory, masker))
    with caplog.at_level(logging.ERROR):
        _emit(provider)
    provider.shutdown()
    assert memory.get_finished_spans() == ()
