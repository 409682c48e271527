"""The two sources the tests are held against: requirements.md and the ids the code names in src/."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src"
# The team's docs beside the checkout, when they are there.
DEFAULT_REQUIREMENTS = ROOT.parent / "shared" / "docs" / "requirements.md"
KEPT_REQUIREMENTS = ROOT / "docs" / "requirements.md"  # a copy, for a checkout without ../shared
REQUIREMENTS_ENV = "PRIVACYOPS_REQUIREMENTS"

ID = r"[A-Z]{2,4}-\d+"
_TABLE_ROW = re.compile(rf"^\|\s*({ID})\s*\|(.*)$")
# Date arithmetic is a section, not a table row: "## Date arithmetic (DL-0)".
_HEADING = re.compile(rf"^#+\s*(.*?)\s*\(({ID})\)\s*$")
# Files under src/ whose text can name a requirement (code, schemas, templates).
_TEXT_SUFFIXES = {".py", ".json", ".j2", ".html", ".md", ".yml", ".yaml", ".js", ".css"}


@dataclass(frozen=True)
class Requirement:
    """One row of requirements.md: its id and the rule it states."""

    id: str
    rule: str


@dataclass
class Claims:
    """Requirement ids named in src/, each with the places (``path:line``) that name it."""

    places: dict[str, list[str]] = field(default_factory=dict)

    def add(self, req_id: str, place: str) -> None:
        self.places.setdefault(req_id, []).append(place)


def requirements_path() -> Path:
    """Where requirements.md is: ``$PRIVACYOPS_REQUIREMENTS``, ``../shared/docs/requirements.md``, or the
    copy in ``docs/`` when the checkout stands alone (a CI machine)."""
    configured = os.environ.get(REQUIREMENTS_ENV)
    if configured:
        return Path(configured)
    return DEFAULT_REQUIREMENTS if DEFAULT_REQUIREMENTS.is_file() else KEPT_REQUIREMENTS


def parse_requirements(text: str) -> list[Requirement]:
    """Every requirement of the document, in its order: table rows ``| INT-1 | ...`` and ``(DL-0)``."""
    found: list[Requirement] = []
    for line in text.splitlines():
        row = _TABLE_ROW.match(line)
        if row:
            cells = [cell.strip() for cell in row.group(2).split("|")]
            rule = cells[1] if len(cells) > 1 else ""
            found.append(Requirement(row.group(1), rule))
            continue
        heading = _HEADING.match(line)
        if heading:
            found.append(Requirement(heading.group(2), heading.group(1)))
    return found


def claim_pattern(prefixes: set[str]) -> re.Pattern[str]:
    """Ids of the given prefixes, with ranges: ``INT-3..7`` and ``AC-1..AC-6`` name every id between."""
    alternatives = "|".join(sorted(prefixes))
    return re.compile(rf"\b({alternatives})-(\d+)(?:\.\.(?:\1-)?(\d+))?\b")


def find_claims(prefixes: set[str], src: Path = SRC) -> Claims:
    """The ids of the given prefixes named anywhere in the text files under ``src``."""
    claims = Claims()
    if not prefixes:
        return claims
    pattern = claim_pattern(prefixes)
    for path in sorted(src.rglob("*")):
        if path.suffix not in _TEXT_SUFFIXES or "__pycache__" in path.parts or not path.is_file():
            continue
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
        for number, line in enumerate(lines, start=1):
            for match in pattern.finditer(line):
                for req_id in _expand(match):
                    claims.add(req_id, f"{path.relative_to(src.parent)}:{number}")
    return claims


def _expand(match: re.Match[str]) -> list[str]:
    prefix, first, last = match.group(1), int(match.group(2)), match.group(3)
    end = int(last) if last is not None and int(last) > first else first
    return [f"{prefix}-{number}" for number in range(first, end + 1)]
