"""A small generated set of chat and support text: recall and precision floors per entity.

The texts come from the benchmark's generator (``bench/pii/prose_corpus.py``) with a seed of their
own; the floors sit a little under what the benchmark's held-out set measures, so that a change
which loses names, addresses or written phone numbers fails here first.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

from privacyops.pii.engine import default_engine

GENERATOR = Path(__file__).resolve().parents[3] / "bench" / "pii" / "prose_corpus.py"
FLOORS = {  # entity: (recall, precision), English texts
    "PERSON": (0.85, 0.95),
    "PHONE_NUMBER": (0.92, 0.97),
    "STREET_ADDRESS": (0.5, 0.95),
}


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("prose_corpus", GENERATOR)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("prose_corpus", module)
    spec.loader.exec_module(module)
    return module


def _covers(found: tuple[int, int], gold: tuple[int, int]) -> bool:
    overlap = min(found[1], gold[1]) - max(found[0], gold[0])
    return overlap > 0 and overlap * 2 >= gold[1] - gold[0]


def test_generated_english_texts_meet_the_floors() -> None:
    records = [r for r in _generator().build(400, 424242) if r["source"].startswith("en:")]
    engine = default_engine()
    found_all = engine.analyze_many([r["text"] for r in records])
    for entity, (recall_floor, precision_floor) in FLOORS.items():
        hits = misses = false = 0
        for record, found in zip(records, found_all, strict=True):
            golds = [(s[0], s[1]) for s in record["spans"] if s[2] == entity]
            spans = [(f.start, f.end) for f in found if f.entity == entity]
            hits += sum(1 for g in golds if any(_covers(f, g) for f in spans))
            misses += sum(1 for g in golds if not any(_covers(f, g) for f in spans))
            false += sum(1 for f in spans if not any(_covers(f, g) or _covers(g, f) for g in golds))
        assert hits + misses >= 20, entity  # the set holds enough of each entity to mean something
        recall, precision = hits / (hits + misses), hits / max(1, hits + false)
        assert recall >= recall_floor, (entity, recall)
        assert precision >= precision_floor, (entity, precision)
