from __future__ import annotations

import json

import pytest

from privacyops.pii.engine import default_engine
from privacyops.pii.operators import Drop, Masker, Placeholder
from privacyops.pii.structured import LIMIT_MARKER, KeyRules, Limits, PayloadError, mask_json

OPENAI = {
    "model": "gpt-4o",
    "messages": [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "I am jane@example.com, call +44 20 7946 0958"},
        {
            "role": "assistant",
            "tool_calls": [
                {
                    "id": "call_1",
                    "type": "function",
                    "function": {"name": "crm", "arguments": '{"email": "jane@example.com"}'},
                }
            ],
        },
    ],
    "metadata": {"jane@example.com": {"visits": 3}, "api_key": "anything", "n": 4111111111111111},
}
ANTHROPIC = {
    "system": "x",
    "messages": [{"role": "user", "content": [{"type": "text", "text": "IP 203.0.113.7"}]}],
}
GEMINI = {"contents": [{"role": "user", "parts": [{"text": "IBAN DE89 3704 0044 0532 0130 00"}]}]}


def _mask(document: object, **kwargs: object) -> object:
    return mask_json(document, default_engine(), Masker(Placeholder()), **kwargs)  # type: ignore[arg-type]


def _shape(document: object) -> object:
    if isinstance(document, dict):
        return {key: _shape(value) for key, value in document.items()}
    if isinstance(document, list):
        return [_shape(v) for v in document]
    return type(document).__name__


def test_openai_chat_keeps_shape_and_masks_everything() -> None:
    masked = _mask(OPENAI)
    text = json.dumps(masked)
    assert "jane@example.com" not in text and "7946" not in text and "4111" not in text
    assert masked["messages"][1]["content"] == "I am <EMAIL_ADDRESS>, call <PHONE_NUMBER>"  # type: ignore[index]
    assert masked["metadata"]["api_key"] == "<SECRET>"  # type: ignore[index]
    assert "<EMAIL_ADDRESS>" in masked["metadata"]  # type: ignore[operator,index]
    assert masked["model"] == "gpt-4o" and masked["messages"][0]["role"] == "system"  # type: ignore[index]
    assert OPENAI["messages"][1]["content"].startswith("I am jane")  # type: ignore[index]  # input untouched


@pytest.mark.parametrize(("document", "needle"), [(ANTHROPIC, "203.0.113.7"), (GEMINI, "DE89")])
def test_other_chat_formats(document: object, needle: str) -> None:
    masked = _mask(document)
    assert needle not in json.dumps(masked)
    assert _shape(masked) == _shape(document)


def test_skip_and_include_rules() -> None:
    document = {"id": "jane@example.com", "note": "jane@example.com"}
    assert _mask(document, rules=KeyRules(skip=("id",))) == {
        "id": "jane@example.com",
        "note": "<EMAIL_ADDRESS>",
    }
    only_note = _mask({"a": "x@example.com", "note": "y@example.com"}, rules=KeyRules(include=("note",)))
    assert only_note == {"a": "x@example.com", "note": "<EMAIL_ADDRESS>"}


def test_drop_removes_fields_and_list_items() -> None:
    document = {"email": "jane@example.com", "tags": ["ok", "x@example.com", "fine"]}
    masked = mask_json(document, default_engine(), Masker(Drop()))
    assert masked == {"tags": ["ok", "fine"]}


def test_nesting_ten_thousand_deep_is_bounded() -> None:
    deep: dict[str, object] = {}
    node = deep
    for _ in range(10_000):
        child: dict[str, object] = {}
        node["a"] = child
        node = child
    node["email"] = "jane@example.com"
    masked = _mask(deep)
    assert "jane@example.com" not in repr(masked)
    assert LIMIT_MARKER in json.dumps(masked)
    with pytest.raises(PayloadError, match="depth"):
        _mask(deep, limits=Limits(on_limit="error"))


def test_tuples_bytes_and_other_objects_are_scanned() -> None:
    masked = _mask({"t": ("call", "jane@example.com"), "b": b"jane@example.com", "o": object()})
    assert masked["t"] == ["call", "<EMAIL_ADDRESS>"]  # type: ignore[index]
    assert masked["b"] == "<EMAIL_ADDRESS>"  # type: ignore[index]


def test_otel_attribute_names_are_the_key_context() -> None:
    document = {"attributes": [{"key": "db.password", "value": {"stringValue": "hunter2"}}]}
    assert _mask(document) == {"attributes": [{"key": "db.password", "value": {"stringValue": "<SECRET>"}}]}
