"""Markers that tie each statement of the notice to the manifest key it rests on.

The templates call `t("signals/gpc")` beside every statement. A normal rendering prints nothing there; a
traced rendering prints ⟦signals/gpc⟧, so a test can check that each line of the notice carries a marker
and that every marked key is declared in the manifest (not filled in by a default).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

OPEN, CLOSE = "\u27e6", "\u27e7"
MARKER = re.compile(f"{OPEN}([^{CLOSE}]*){CLOSE}")
_TABLE_RULE = re.compile(r"^\|(\s*-+\s*\|)+$")


def marker(enabled: bool, paths: Iterable[object]) -> str:
    """Return the marker for the given key paths (strings or lists of them), or "" when tracing is off."""
    if not enabled:
        return ""
    return OPEN + " ".join(_flat(paths)) + CLOSE


def _flat(items: Iterable[object]) -> list[str]:
    found: list[str] = []
    for item in items:
        if isinstance(item, str):
            found += [item] if item else []
        elif isinstance(item, Iterable):
            found += _flat(item)
        elif item:
            found.append(str(item))
    return found


def strip(text: str) -> str:
    """Remove every marker from rendered text."""
    return MARKER.sub("", text)


def statements(markdown: str) -> list[str]:
    """Return the lines of a traced notice that state something.

    Left out: blank lines, link anchors, headings (section and group titles carry no claim of their own:
    the statements under them do), table header and rule rows, and the table of contents.
    """
    lines = markdown.splitlines()
    found = []
    in_contents = False
    for i, line in enumerate(lines):
        text = line.strip()
        if text.startswith("#"):
            in_contents = text == "## Contents"
            continue
        if in_contents or not text or text.startswith("<a id=") or _TABLE_RULE.match(text):
            continue
        if text.startswith("|") and i + 1 < len(lines) and _TABLE_RULE.match(lines[i + 1].strip()):
            continue
        found.append(text)
    return found


def paths(line: str) -> list[str]:
    """Return the key paths marked on a line."""
    return [p for group in MARKER.findall(line) for p in group.split()]
