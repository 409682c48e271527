"""Per-entity precision, recall and F1 of predicted spans against the recorded true spans.

A prediction counts as a true positive when it has the same entity and covers at least half of a true
span that no earlier prediction has claimed; boundaries may differ slightly (a phone's extension, a
key's quote) without turning one hit into a miss and a false alarm.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

Span = tuple[int, int, str]


def _covers(pred: Span, gold: Span) -> bool:
    overlap = min(pred[1], gold[1]) - max(pred[0], gold[0])
    return overlap > 0 and overlap * 2 >= gold[1] - gold[0]


def score(golds: Sequence[Iterable[Span]], preds: Sequence[Iterable[Span]], entities: Iterable[str]) -> dict:
    tp: dict[str, int] = defaultdict(int)
    fp: dict[str, int] = defaultdict(int)
    fn: dict[str, int] = defaultdict(int)
    wanted = set(entities)
    for gold_spans, pred_spans in zip(golds, preds, strict=True):
        gold = [g for g in gold_spans if g[2] in wanted]
        claimed = [False] * len(gold)
        for pred in pred_spans:
            if pred[2] not in wanted:
                continue
            hit = next(
                (i for i, g in enumerate(gold) if not claimed[i] and g[2] == pred[2] and _covers(pred, g)),
                None,
            )
            if hit is None:
                # A second prediction inside an already matched span is a split, not a false alarm.
                if not any(g[2] == pred[2] and _covers(g, pred) for g in gold):
                    fp[pred[2]] += 1
            else:
                claimed[hit] = True
                tp[pred[2]] += 1
        for i, g in enumerate(gold):
            if not claimed[i]:
                fn[g[2]] += 1
    table = {}
    for entity in sorted(wanted):
        t, f_p, f_n = tp[entity], fp[entity], fn[entity]
        precision = t / (t + f_p) if t + f_p else 0.0
        recall = t / (t + f_n) if t + f_n else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        table[entity] = {
            "tp": t,
            "fp": f_p,
            "fn": f_n,
            "precision": round(precision, 4),
            "recall": round(recall, 4),
            "f1": round(f1, 4),
        }
    return table
