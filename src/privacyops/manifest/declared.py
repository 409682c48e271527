"""Whether a manifest states a key itself, as opposed to a default filling it in.

A notice may state only what its manifest declares: a default such as "GPC honoured" or "backups
isolated" is not a declaration. Paths are keys and list indexes, e.g. ("signals", "gpc") or
("purposes", "marketing", "basis"); pydantic remembers which fields each model was given.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel

Step = str | int


def declared(root: BaseModel, path: Sequence[Step]) -> bool:
    """Return whether every step of `path` was given in the manifest (not taken from a default)."""
    current: Any = root
    for step in path:
        found, current = _step(current, step)
        if not found:
            return False
    return True


def _step(current: Any, step: Step) -> tuple[bool, Any]:
    if isinstance(current, BaseModel):
        name = str(step)
        if name not in current.model_fields_set:
            return False, None
        return True, getattr(current, name)
    if isinstance(current, dict):
        return (step in current), current.get(step)
    if isinstance(current, tuple | list) and isinstance(step, int):
        return (0 <= step < len(current)), (current[step] if 0 <= step < len(current) else None)
    return False, None


def parse_path(text: str) -> tuple[Step, ...]:
    """Return a path written as `a/b/0/c` (slashes, since category keys contain dots)."""
    return tuple(int(part) if part.isdigit() else part for part in text.split("/") if part)
