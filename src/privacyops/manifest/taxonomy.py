"""The fideslang default taxonomy: known data categories, data uses and data subjects."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from functools import lru_cache

from fideslang.default_taxonomy import DEFAULT_TAXONOMY


@lru_cache(maxsize=1)
def data_categories() -> frozenset[str]:
    """Return the fideslang default data category keys."""
    return frozenset(c.fides_key for c in DEFAULT_TAXONOMY.data_category)


@lru_cache(maxsize=1)
def data_uses() -> frozenset[str]:
    """Return the fideslang default data use keys."""
    return frozenset(u.fides_key for u in DEFAULT_TAXONOMY.data_use)


@lru_cache(maxsize=1)
def data_subjects() -> frozenset[str]:
    """Return the fideslang default data subject keys."""
    return frozenset(s.fides_key for s in DEFAULT_TAXONOMY.data_subject)


def nearest(word: str, known: Iterable[str], count: int = 3) -> list[str]:
    """Return the known words closest to `word`, best first."""
    choices = sorted(set(known))
    close = difflib.get_close_matches(word, choices, n=count, cutoff=0.6)
    if close:
        return close
    # A long dotted key often differs in one segment; compare the last segment alone as a fallback.
    tail = word.rsplit(".", 1)[-1]
    by_tail = {c.rsplit(".", 1)[-1]: c for c in choices}
    return [by_tail[t] for t in difflib.get_close_matches(tail, list(by_tail), n=count, cutoff=0.6)]


def suggestion(word: str, known: Iterable[str], what: str, declared: bool = True) -> str:
    """Return a fix text naming the closest known words, or listing a few when none is close."""
    known = sorted(set(known))
    close = nearest(word, known)
    if close:
        return "did you mean " + " or ".join(f"`{c}`" for c in close) + "?"
    shown = ", ".join(f"`{k}`" for k in known[:12])
    more = f" (and {len(known) - 12} more)" if len(known) > 12 else ""
    return f"use one of the {'declared ' if declared else ''}{what}: {shown}{more}"
