"""OTLP/JSON trace exports (what Langfuse's ingestion masking callback posts): check and mask them.

No OpenTelemetry package is needed: the payload is plain JSON. Attribute names (``{"key": ...}``)
serve as the key context of their values, so ``db.password`` values are masked whole.
"""

from __future__ import annotations

from typing import Any

from privacyops.pii.masking import PolicyMasker
from privacyops.pii.structured import PayloadError

_SPAN_KEYS = ("scopeSpans", "instrumentationLibrarySpans")


def check_otlp_json(payload: Any) -> None:
    """Raise ``PayloadError`` naming the field when a payload is not an OTLP/JSON trace export."""
    if not isinstance(payload, dict):
        raise PayloadError("the body must be a JSON object with a resourceSpans list")
    resource_spans = payload.get("resourceSpans")
    if not isinstance(resource_spans, list):
        raise PayloadError("resourceSpans: expected a list of resource spans")
    for index, entry in enumerate(resource_spans):
        if not isinstance(entry, dict):
            raise PayloadError(f"resourceSpans[{index}]: expected an object")
        for key in _SPAN_KEYS:
            scopes = entry.get(key)
            if scopes is None:
                continue
            if not isinstance(scopes, list):
                raise PayloadError(f"resourceSpans[{index}].{key}: expected a list")
            for position, scope in enumerate(scopes):
                if not isinstance(scope, dict) or not isinstance(scope.get("spans", []), list):
                    raise PayloadError(f"resourceSpans[{index}].{key}[{position}].spans: expected a list")


def mask_otlp_json(payload: Any, masker: PolicyMasker) -> Any:
    """Return the OTLP/JSON payload with every string value masked; same shape, ids untouched."""
    check_otlp_json(payload)
    return masker.document(payload)
