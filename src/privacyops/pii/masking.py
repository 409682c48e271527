"""High-level masking: a ``PolicyMasker`` applies one policy to text, JSON documents and streams.

This is the library call the CLI, the HTTP callback, the OTel exporter and the log filter share.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator
from typing import Any

from privacyops.pii import structured
from privacyops.pii.engine import DEFAULT_THRESHOLD, Engine, default_engine
from privacyops.pii.operators import Masker, build_operator
from privacyops.pii.policy import MaskPolicy

log = logging.getLogger(__name__)

FAILED_MARKER = "[REDACTED:UNSCANNED]"
CHUNK_CHARS = 1 << 20
"""Texts longer than this are masked in pieces cut at whitespace, so memory stays bounded."""
OVERLAP_LIMIT = 4096


class PolicyMasker:
    """Mask text and JSON with one policy; keys come from ``secret`` (``Settings.secret_key``)."""

    def __init__(
        self,
        policy: MaskPolicy | None = None,
        *,
        secret: str | bytes | None = None,
        tenant: str = "",
        engine: Engine | None = None,
    ) -> None:
        self.policy = policy or MaskPolicy()
        self.engine = engine or _engine_for(self.policy)
        per_entity = {
            entity: build_operator(name, secret=secret, tenant=tenant)
            for entity, name in self.policy.operators.items()
        }
        self.masker = Masker(build_operator(self.policy.operator, secret=secret, tenant=tenant), per_entity)
        self.rules = structured.KeyRules(
            skip=self.policy.skip_keys if self.policy.skip_keys is not None else structured.DEFAULT_SKIP_KEYS,
            include=self.policy.include_keys,
            secret=self.policy.secret_keys or structured.DEFAULT_SECRET_KEYS,
        )
        self.limits = structured.Limits(max_depth=self.policy.max_depth, on_limit=self.policy.on_limit)

    def text(self, text: str) -> str:
        """Return ``text`` masked; long texts are processed in bounded pieces."""
        if len(text) <= CHUNK_CHARS:
            return self._guarded(lambda: self._mask_piece(text), text)
        return "".join(self.stream(_pieces(text)))

    def texts(self, texts: list[str]) -> list[str]:
        """Mask many short texts (lines, records) with one scan."""
        def run() -> list[str]:
            found = self.engine.analyze_many(texts)
            return [self.masker.apply(text, hits) for text, hits in zip(texts, found, strict=True)]

        try:
            return run()
        except Exception:
            if self.policy.fail == "open":
                log.exception("masking failed; the policy fails open, so the texts pass unmasked")
                return list(texts)
            log.exception("masking failed; the texts are replaced (fail closed)")
            return [FAILED_MARKER for _ in texts]

    def stream(self, pieces: Iterable[str]) -> Iterator[str]:
        """Mask a text arriving in pieces; a piece is held back to its last whitespace, so no value is cut."""
        carry = ""
        for piece in pieces:
            data = carry + piece
            cut = _last_break(data)
            if cut <= 0:
                if len(data) < CHUNK_CHARS:
                    carry = data
                    continue
                cut = len(data)  # no whitespace in a megabyte: a token that long is cut, then masked
            ready, carry = data[:cut], data[cut:]
            yield self._guarded(lambda ready=ready: self._mask_piece(ready), ready)
        if carry:
            yield self._guarded(lambda: self._mask_piece(carry), carry)

    def document(self, document: Any) -> Any:
        """Return a masked copy of a parsed JSON document; raises ``PayloadError`` past a limit if asked."""
        try:
            return structured.mask_json(document, self.engine, self.masker, self.rules, self.limits)
        except structured.PayloadError:
            raise
        except Exception:
            if self.policy.fail == "open":
                log.exception("masking failed; the policy fails open, so the document passes unmasked")
                return document
            log.exception("masking failed; the document is replaced (fail closed)")
            return FAILED_MARKER

    def _mask_piece(self, text: str) -> str:
        return self.masker.apply(text, self.engine.analyze(text))

    def _guarded(self, run: Any, original: str) -> str:
        try:
            result: str = run()
            return result
        except Exception:
            if self.policy.fail == "open":
                log.exception("masking failed; the policy fails open, so the text passes unmasked")
                return original
            log.exception("masking failed; the text is replaced (fail closed)")
            return FAILED_MARKER


def _engine_for(policy: MaskPolicy) -> Engine:
    entities = policy.wanted_entities()
    if entities is None and policy.threshold == DEFAULT_THRESHOLD:
        return default_engine()
    return Engine(entities=entities, threshold=policy.threshold)


def _last_break(data: str) -> int:
    """Where to cut a piece so that no value is split: a line end, else a space between words."""
    at = data.rfind("\n")
    if at >= 0:
        return at + 1
    tail_start = max(0, len(data) - 65536)
    gaps = [match.start() for match in _WORD_GAP.finditer(data, tail_start)]
    if gaps:
        return gaps[-1] + 2
    at = max(data.rfind(" "), data.rfind("\t"))
    return at + 1 if at >= 0 else -1


# Values with spaces inside (phones, cards, IBANs) are digits and capitals: a gap between two
# lower-case words is never inside one.
_WORD_GAP = re.compile(r"[a-z][ \t][a-z]")


def _pieces(text: str) -> Iterator[str]:
    for start in range(0, len(text), CHUNK_CHARS):
        yield text[start : start + CHUNK_CHARS]


def mask_text(text: str, operator: str = "placeholder", *, secret: str | bytes | None = None) -> str:
    """Mask one text with the default recognizers and one operator (the simplest library call)."""
    return PolicyMasker(MaskPolicy(operator=operator), secret=secret).text(text)


def mask_document(document: Any, operator: str = "placeholder", *, secret: str | bytes | None = None) -> Any:
    """Mask a parsed JSON document with the default recognizers and one operator."""
    policy = MaskPolicy(operator=operator)
    return PolicyMasker(policy, secret=secret).document(document)
