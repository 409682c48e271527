"""After a redaction, read the cleaned fields again: none may still hold one of the subject's values (ER-6).

The re-check does not trust the connector's count of rows changed: a trigger that restores the old
text, a rule that ignores the update, or a value that is not text (a JSON document the data store
keeps as an object) would leave the person in place. Such a field fails the step, named by table and
field; the reason says which kind of value is left (a name, a phone number), never the value.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from privacyops.connectors.base import Connector, Key, Match
from privacyops.engine.plan import TablePlan
from privacyops.engine.values import ValueMatcher
from privacyops.manifest.identifying import kind_word


def subject_matcher(identities: Mapping[str, Iterable[Any]],
                    own: Mapping[str, Iterable[Any]]) -> ValueMatcher:
    """Return the matcher of every identifying value of the subject: identities and own-row values."""
    values = [(kind, v) for source in (identities, own) for kind, vs in source.items() for v in vs]
    return ValueMatcher(values, parts=True)


def redacted_fields(table: TablePlan) -> list[str]:
    """Return the fields an erasure of this table is told to clean of the subject's values."""
    if table.row_action != "keep":
        return []
    return [a.field for a in table.field_actions if a.action == "redact"]


def leftovers(table: TablePlan, connector: Connector, keys: Sequence[Key],
              matcher: ValueMatcher) -> list[str]:
    """Read the redacted fields of the subject's rows again; return one problem per field not clean."""
    fields = redacted_fields(table)
    if not fields or not keys or not matcher:
        return []
    wanted = list(dict.fromkeys([*table.key, *fields]))
    rows = connector.find(table.table, Match(table.key, tuple(keys)), wanted)
    problems = []
    for name in fields:
        kinds = set().union(*(matcher.kinds_in(row.get(name)) for row in rows)) if rows else set()
        if kinds:
            words = ", ".join(sorted({kind_word(k) for k in kinds}))
            problems.append(f"{table.id}.{name} still holds the subject's {words} after redaction "
                            f"({_count(rows, name, matcher)} of {len(rows)} rows)")
    return problems


def _count(rows: Sequence[Mapping[str, Any]], name: str, matcher: ValueMatcher) -> int:
    return sum(1 for row in rows if matcher.kinds_in(row.get(name)))


def failure(problems: Sequence[str]) -> str:
    """Say what is left and what to do about it."""
    return ("; ".join(problems) + ": the data store did not keep the redacted text (a trigger or rule may "
            "restore it, or the field is not plain text); make the field writable as text, then run the "
            "step again")
