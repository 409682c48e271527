"""Mask JSON documents: every string leaf (and key) scanned in one pass, the same shape returned.

Chat payloads of the common LLM APIs (OpenAI ``messages``/``tool_calls``, Anthropic ``content``
blocks, Gemini ``contents``/``parts``), tool arguments and metadata maps are all plain JSON trees, so
one walker covers them; key rules say which keys are left alone and which hold credentials whole.
The walk is iterative, so depth is bounded by ``Limits`` rather than by Python's stack: past the
limits a subtree is replaced by a marker (fail closed) or, if asked, the call raises ``PayloadError``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from privacyops.pii.engine import Engine, Finding
from privacyops.pii.operators import Masker
from privacyops.pii.recognizers.secrets import _password_ok

DEFAULT_SKIP_KEYS = (
    "traceId", "spanId", "parentSpanId", "trace_id", "span_id", "parent_span_id", "startTimeUnixNano",
    "endTimeUnixNano", "timeUnixNano", "observedTimeUnixNano", "role", "type", "model", "finish_reason",
    "object", "droppedAttributesCount", "droppedEventsCount", "droppedLinksCount", "flags", "traceState",
)  # fmt: skip
DEFAULT_SECRET_KEYS = (
    r"(?i)(?:^|[_.\-])(?:password|passwd|pwd|passphrase|secret|client[_-]?secret|api[_-]?key|apikey"
    r"|access[_-]?token|refresh[_-]?token|id[_-]?token|auth[_-]?token|token|private[_-]?key|authorization"
    r"|cookie|set-cookie|x-api-key|session[_-]?token|credentials?)$"
)
LIMIT_MARKER = "[REDACTED:LIMIT]"
_BIG_NUMBER = 1_000_000


_VALUE_WRAPPERS = frozenset({"stringValue", "arrayValue", "kvlistValue", "values", "bytesValue"})


class PayloadError(ValueError):
    """The payload is too deep, too large or not JSON; nothing of it was passed through unmasked."""


@dataclass(frozen=True)
class KeyRules:
    """Which keys to leave alone (``skip``), to scan exclusively (``include``), to mask whole (``secret``)."""

    skip: Sequence[str] = DEFAULT_SKIP_KEYS
    include: Sequence[str] = ()
    secret: str = DEFAULT_SECRET_KEYS
    scan_keys: bool = True
    _skip: frozenset[str] = field(init=False, repr=False, compare=False)
    _include: frozenset[str] = field(init=False, repr=False, compare=False)
    _secret: re.Pattern[str] | None = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_skip", frozenset(key.lower() for key in self.skip))
        object.__setattr__(self, "_include", frozenset(key.lower() for key in self.include))
        object.__setattr__(self, "_secret", re.compile(self.secret) if self.secret else None)

    def skips(self, key: str) -> bool:
        return key.lower() in self._skip

    def includes(self, key: str) -> bool:
        return not self._include or key.lower() in self._include

    def is_secret(self, key: str) -> bool:
        return self._secret is not None and self._secret.search(key) is not None


@dataclass(frozen=True)
class Limits:
    """Bounds of a walk; ``on_limit`` is ``redact`` (replace the excess by a marker) or ``error``."""

    max_depth: int = 200
    max_nodes: int = 2_000_000
    max_string: int = 20_000_000
    on_limit: str = "redact"


@dataclass
class _Leaf:
    holder: Any
    slot: Any
    text: str
    key: str
    is_key: bool = False
    secret: bool = False


@dataclass
class _Walk:
    rules: KeyRules
    limits: Limits
    leaves: list[_Leaf] = field(default_factory=list)
    nodes: int = 0


def mask_json(
    document: Any,
    engine: Engine,
    masker: Masker,
    rules: KeyRules | None = None,
    limits: Limits | None = None,
) -> Any:
    """Return a masked copy of a parsed JSON document (dicts, lists, strings, numbers)."""
    walk = _Walk(rules or KeyRules(), limits or Limits())
    root: list[Any] = [None]
    _copy_tree(document, root, walk)
    findings = engine.analyze_many([leaf.text for leaf in walk.leaves], [leaf.key for leaf in walk.leaves])
    _write_back(walk.leaves, findings, masker)
    return root[0]


def _limit(walk: _Walk, what: str) -> str:
    if walk.limits.on_limit == "error":
        raise PayloadError(f"the payload exceeds the {what} limit; nothing was passed through")
    return LIMIT_MARKER


def _copy_tree(document: Any, root: list[Any], walk: _Walk) -> None:
    # Stack entries: (value, holder, slot, key name, depth, under an included key)
    stack: list[tuple[Any, Any, Any, str, int, bool]] = [(document, root, 0, "", 0, not walk.rules._include)]
    while stack:
        value, holder, slot, key, depth, included = stack.pop()
        walk.nodes += 1
        if depth > walk.limits.max_depth:
            holder[slot] = _limit(walk, f"depth ({walk.limits.max_depth})")
            continue
        if walk.nodes > walk.limits.max_nodes:
            holder[slot] = _limit(walk, f"size ({walk.limits.max_nodes} values)")
            continue
        if isinstance(value, dict):
            copy: dict[str, Any] = {}
            holder[slot] = copy
            # OpenTelemetry attributes are {"key": name, "value": {...}}: the name is the value's key.
            attribute = value.get("key") if "value" in value and len(value) <= 3 else None
            for child_key, child in value.items():
                name = str(child_key)
                copy[name] = None
                if isinstance(attribute, str) and name == "key":
                    copy[name] = child
                    continue
                if walk.rules.scan_keys and len(name) > 4:
                    walk.leaves.append(_Leaf(copy, name, name, key, is_key=True))
                if walk.rules.skips(name) and not isinstance(child, dict | list):
                    copy[name] = child
                    continue
                context = attribute if isinstance(attribute, str) and name == "value" else name
                if name in _VALUE_WRAPPERS and key:
                    context = key  # {"stringValue": ...} carries the attribute's name down
                stack.append((child, copy, name, context, depth + 1, included or walk.rules.includes(name)))
        elif isinstance(value, list | tuple):
            items: list[Any] = [None] * len(value)
            holder[slot] = items
            for index in range(len(value) - 1, -1, -1):
                stack.append((value[index], items, index, key, depth + 1, included))
        elif isinstance(value, str):
            _string_leaf(value, holder, slot, key, included, walk)
        elif _big_int(value) and included:
            holder[slot] = value
            walk.leaves.append(_Leaf(holder, slot, str(value), key))
        elif value is None or isinstance(value, bool | int | float):
            holder[slot] = value
        else:
            # Not a JSON type (bytes, a custom object): its text is scanned rather than let through.
            _string_leaf(_as_text(value), holder, slot, key, included, walk)


def _as_text(value: Any) -> str:
    if isinstance(value, bytes | bytearray):
        return bytes(value).decode("utf-8", "replace")
    return str(value)


def _big_int(value: Any) -> bool:
    # Card and phone numbers sometimes arrive as JSON numbers; small counts are never personal data.
    return isinstance(value, int) and not isinstance(value, bool) and abs(value) >= _BIG_NUMBER


def _string_leaf(value: str, holder: Any, slot: Any, key: str, included: bool, walk: _Walk) -> None:
    holder[slot] = value
    if not included:
        return
    if len(value) > walk.limits.max_string:
        holder[slot] = _limit(walk, f"string length ({walk.limits.max_string} characters)")
        return
    secret = bool(key) and walk.rules.is_secret(key) and _password_ok(value)
    walk.leaves.append(_Leaf(holder, slot, value, key, secret=secret))


def _write_back(leaves: list[_Leaf], findings: list[list[Finding]], masker: Masker) -> None:
    drops: list[_Leaf] = []
    renames: list[tuple[_Leaf, str]] = []
    for leaf, found in zip(leaves, findings, strict=True):
        if leaf.secret:
            found = [Finding(0, len(leaf.text), "SECRET", 0.9, "key_name", "KeyRules")]
        if not found:
            continue
        if masker.drops(found):
            drops.append(leaf)
            continue
        masked = masker.apply(leaf.text, found)
        if leaf.is_key:
            renames.append((leaf, masked))
        else:
            leaf.holder[leaf.slot] = masked
    _drop(drops)
    _rename_keys(renames)


def _rename_keys(renames: list[tuple[_Leaf, str]]) -> None:
    for leaf, masked in renames:
        holder: dict[str, Any] = leaf.holder
        new_key, counter = masked, 1
        while new_key in holder:
            counter += 1
            new_key = f"{masked}#{counter}"
        # Rebuild to keep the key's position in the object.
        items = [(new_key if k == leaf.slot else k, v) for k, v in holder.items()]
        holder.clear()
        holder.update(items)


def _drop(drops: list[_Leaf]) -> None:
    by_list: dict[int, tuple[list[Any], list[int]]] = {}
    for leaf in drops:
        if isinstance(leaf.holder, dict):
            leaf.holder.pop(leaf.slot, None)
        elif isinstance(leaf.holder, list):
            by_list.setdefault(id(leaf.holder), (leaf.holder, []))[1].append(leaf.slot)
        else:
            leaf.holder[leaf.slot] = None
    for items, indexes in by_list.values():
        for index in sorted(indexes, reverse=True):
            del items[index]
