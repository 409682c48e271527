"""Optional NER backend: person names, places and organisations through spaCy (the ``ner`` extra).

Never needed by the default install: ``Engine(extra=[SpacyNer()])`` adds it where installed. The
model is loaded on first use; a missing package or model is an error that says how to install it.
"""

from __future__ import annotations

import importlib
from typing import Any

from privacyops.pii.engine import Finding

LABELS = {"PERSON": "PERSON", "PER": "PERSON", "GPE": "LOCATION", "LOC": "LOCATION", "FAC": "LOCATION",
          "ORG": "ORGANIZATION"}  # fmt: skip


class NerUnavailable(RuntimeError):
    """The NER backend needs spaCy and a model: pip install 'privacyops[ner]' and the model package."""


class SpacyNer:
    """Call a spaCy pipeline and report its entities as findings (score fixed, NER has none)."""

    def __init__(self, model: str = "en_core_web_sm", *, nlp: Any = None, score: float = 0.7) -> None:
        self.model = model
        self.score = score
        self._nlp = nlp

    def _pipeline(self) -> Any:
        if self._nlp is None:
            try:
                spacy = importlib.import_module("spacy")
                self._nlp = spacy.load(self.model, disable=["lemmatizer", "tagger", "parser"])
            except (ImportError, OSError) as exc:
                raise NerUnavailable(
                    f"the NER backend needs spaCy and the {self.model!r} model: "
                    f"pip install 'privacyops[ner]' and the model package ({exc})"
                ) from exc
        return self._nlp

    def __call__(self, text: str) -> list[Finding]:
        document = self._pipeline()(text)
        return [
            Finding(entity.start_char, entity.end_char, LABELS[entity.label_], self.score, entity.label_)
            for entity in document.ents
            if entity.label_ in LABELS
        ]
