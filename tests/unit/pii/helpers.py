from __future__ import annotations

from privacyops.pii.engine import default_engine


def found(text: str, entity: str) -> list[str]:
    """Values of ``entity`` the default engine finds in ``text``."""
    return [f.value_in(text) for f in default_engine().analyze(text) if f.entity == entity]
