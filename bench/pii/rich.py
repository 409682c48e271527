"""Strings that remember labelled spans through concatenation and JSON escaping (corpus building)."""

from __future__ import annotations

import json
from typing import Any

Segment = tuple[str, "str | None"]


class Rich:
    """A string made of segments, some labelled with an entity type."""

    def __init__(self, segments: list[Segment] | None = None) -> None:
        self.segments: list[Segment] = segments or []

    def add(self, text: str, label: str | None = None) -> Rich:
        if text:
            self.segments.append((text, label))
        return self

    def __iadd__(self, other: Rich | str) -> Rich:
        if isinstance(other, Rich):
            self.segments.extend(other.segments)
        else:
            self.add(other)
        return self

    def escaped(self) -> Rich:
        """The same string as it appears inside a JSON string literal."""
        return Rich([(json.dumps(text, ensure_ascii=False)[1:-1], label) for text, label in self.segments])

    def render(self) -> tuple[str, list[list[Any]]]:
        parts, spans, position = [], [], 0
        for text, label in self.segments:
            if label:
                spans.append([position, position + len(text), label])
            parts.append(text)
            position += len(text)
        return "".join(parts), spans


def render_json(document: Any, indent: int | None = None) -> Rich:
    """Serialize a document whose strings may be ``Rich``; labels follow into the JSON text."""
    riches: list[Rich] = []

    def swap(node: Any) -> Any:
        if isinstance(node, Rich):
            riches.append(node)
            return f"@@RICH{len(riches) - 1}@@"
        if isinstance(node, dict):
            return {key: swap(value) for key, value in node.items()}
        if isinstance(node, list):
            return [swap(value) for value in node]
        return node

    text = json.dumps(swap(document), ensure_ascii=False, indent=indent)
    out = Rich()
    position = 0
    while True:
        at = text.find("@@RICH", position)
        if at < 0:
            break
        close = text.index("@@", at + 6)
        out.add(text[position:at])
        out += riches[int(text[at + 6 : close])].escaped()
        position = close + 2
    out.add(text[position:])
    return out
