from __future__ import annotations

from dataclasses import dataclass

import pytest

from privacyops.pii.engine import Engine
from privacyops.pii.ner import NerUnavailable, SpacyNer


@dataclass
class _Entity:
    start_char: int
    end_char: int
    label_: str


class _FakePipeline:
    """Stands in for a spaCy pipeline: finds the capitalised word "Ada" and the city "Paris"."""

    def __call__(self, text: str) -> object:
        entities = []
        for word, label in (("Ada Lovelace", "PERSON"), ("Paris", "GPE"), ("Tuesday", "DATE")):
            at = text.find(word)
            if at >= 0:
                entities.append(_Entity(at, at + len(word), label))

        class _Doc:
            ents = entities

        return _Doc()


def test_ner_findings_join_the_pattern_findings() -> None:
    engine = Engine(extra=[SpacyNer(nlp=_FakePipeline())])
    text = "Ada Lovelace (ada@example.com) moved to Paris on Tuesday"
    assert [(f.value_in(text), f.entity) for f in engine.analyze(text)] == [
        ("Ada Lovelace", "PERSON"),
        ("ada@example.com", "EMAIL_ADDRESS"),
        ("Paris", "LOCATION"),
    ]


def test_a_missing_model_is_a_clear_error() -> None:
    with pytest.raises(NerUnavailable, match=r"privacyops\[ner\]"):
        SpacyNer(model="no_such_model_for_tests")("text")
