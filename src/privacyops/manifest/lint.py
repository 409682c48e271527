"""Lint a loaded manifest: contradictions between what the notice claims and what the manifest declares.

Each rule has a stable code (listed in RULES and in docs/manifest.md) and reports at the manifest key it
is about, so `privacyops check` prints file:line for every finding.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable

from privacyops.manifest import load, rules_claims, rules_declared, rules_processing
from privacyops.manifest.errors import Finding
from privacyops.manifest.rules_base import Context
from privacyops.manifest.schema import Manifest

Rule = Callable[[Context], Iterable[Finding]]

RULES: dict[str, Rule] = {
    **rules_claims.RULES,
    **rules_processing.RULES,
    **rules_declared.RULES,
}

LEVEL_ORDER = {"error": 0, "warning": 1, "info": 2}


def lint(manifest: Manifest, today: dt.date | None = None) -> list[Finding]:
    """Return every lint finding of the manifest, errors first, then by line."""
    context = Context(manifest=manifest, source=load.source_map(manifest), today=today or dt.date.today())
    findings = [finding for rule in RULES.values() for finding in rule(context)]
    return sorted(findings, key=lambda f: (LEVEL_ORDER[f.level], f.line, f.code))


def has_errors(findings: Iterable[Finding]) -> bool:
    """Return whether any finding is an error."""
    return any(f.level == "error" for f in findings)
