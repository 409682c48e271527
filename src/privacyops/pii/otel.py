"""OpenTelemetry: a span exporter wrapper that masks spans before they are exported.

``MaskingSpanExporter(inner)`` masks span names, attributes, event and link attributes, status
messages and resource attributes, then hands the copies to ``inner``: third-party instrumentation is
covered without touching it. This module needs ``opentelemetry-sdk`` (the ``otel`` extra); masking
OTLP/JSON payloads needs nothing and lives in ``privacyops.pii.otlp``.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import Event, ReadableSpan
from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult
from opentelemetry.trace import Link, Status

from privacyops.pii.masking import PolicyMasker
from privacyops.pii.structured import PayloadError

log = logging.getLogger(__name__)

class MaskingSpanExporter(SpanExporter):
    """Wrap another exporter; every batch is masked before it leaves the process."""

    def __init__(self, inner: SpanExporter, masker: PolicyMasker | None = None) -> None:
        self.inner = inner
        self.masker = masker or PolicyMasker()

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        try:
            masked = mask_spans(spans, self.masker)
        except Exception:
            # Failing closed: a batch that could not be masked is not exported at all.
            log.exception("masking a span batch failed; the batch is dropped")
            return SpanExportResult.FAILURE
        return self.inner.export(masked)

    def shutdown(self) -> None:
        self.inner.shutdown()

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        return self.inner.force_flush(timeout_millis)


def mask_spans(spans: Sequence[ReadableSpan], masker: PolicyMasker) -> list[ReadableSpan]:
    """Return masked copies of ``spans`` (one scan for the whole batch)."""
    document = [_span_document(span) for span in spans]
    masked = masker.document(document)
    if not isinstance(masked, list):
        raise PayloadError("the span batch could not be masked")
    return [_rebuild(span, part) for span, part in zip(spans, masked, strict=True)]


def _span_document(span: ReadableSpan) -> dict[str, Any]:
    return {
        "name": span.name,
        "attributes": dict(span.attributes or {}),
        "events": [{"name": event.name, "attributes": dict(event.attributes or {})} for event in span.events],
        "links": [dict(link.attributes or {}) for link in span.links],
        "status": span.status.description or "",
        "resource": dict(span.resource.attributes),
    }


def _attributes(values: Mapping[str, Any]) -> dict[str, Any]:
    # OpenTelemetry attribute values are scalars or homogeneous sequences; JSON gave lists back.
    return {key: tuple(value) if isinstance(value, list) else value for key, value in values.items()}


def _rebuild(span: ReadableSpan, masked: dict[str, Any]) -> ReadableSpan:
    events = [
        Event(part["name"], _attributes(part["attributes"]), event.timestamp)
        for event, part in zip(span.events, masked["events"], strict=True)
    ]
    links = [
        Link(link.context, _attributes(attributes))
        for link, attributes in zip(span.links, masked["links"], strict=True)
    ]
    status = span.status
    if span.status.description:
        status = Status(span.status.status_code, masked["status"] or None)
    return ReadableSpan(
        name=masked["name"],
        context=span.context,
        parent=span.parent,
        resource=Resource(_attributes(masked["resource"]), span.resource.schema_url),
        attributes=_attributes(masked["attributes"]),
        events=events,
        links=links,
        kind=span.kind,
        status=status,
        start_time=span.start_time,
        end_time=span.end_time,
        instrumentation_scope=span.instrumentation_scope,
    )
