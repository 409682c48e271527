"""Small helpers for GitHub-flavoured markdown tables."""

from __future__ import annotations

from collections.abc import Iterable, Sequence


def cell(text: str) -> str:
    """Return text safe inside a table cell: pipes escaped, line breaks flattened."""
    return " ".join(text.replace("|", "\\|").split())


def table(headers: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """Return a markdown table with the given headers and rows."""
    lines = ["| " + " | ".join(cell(h) for h in headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(cell(value) for value in row) + " |" for row in rows]
    return "\n".join(lines)
