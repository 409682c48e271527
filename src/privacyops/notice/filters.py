"""Jinja filters the notice templates use to print manifest values safely as markdown prose."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from typing import Any

from privacyops.manifest.types import MonthDate
from privacyops.notice import labels
from privacyops.reports.ccpa_categories import BY_LETTER

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>&|])")


def md(value: object) -> str:
    """Escape text so markdown prints it literally (it may come from anyone who edits the manifest)."""
    text = _MARKDOWN_SPECIAL.sub(r"\\\1", str(value))
    return "\\" + text if text.startswith("#") else text


def cell(value: object) -> str:
    """Escape text for a table cell, on one line."""
    return " ".join(md(value).split())


def join_and(items: Iterable[object], conjunction: str = "and") -> str:
    """Join items as prose: 'a, b and c'."""
    return labels.human_list([str(i) for i in items], conjunction)


def lower_first(value: str) -> str:
    """Lower-case the first letter, so a label reads inside a sentence."""
    first_word = value.split(" ", 1)[0]
    # An acronym ("IP address") or a name written with inner capitals ("GitHub usernames") keeps them.
    if any(letter.isupper() for letter in first_word[1:]):
        return value
    return value[:1].lower() + value[1:]


def capitalize_first(value: str) -> str:
    """Upper-case the first letter, so a list of labels can open a sentence."""
    return value[:1].upper() + value[1:]


def suffix(value: object, end: str) -> str:
    """Append text, e.g. a key path and the field under it."""
    return f"{value}{end}"


def long_date(value: dt.date) -> str:
    """Print a date unambiguously, e.g. '26 March 2026' ('March 2026' for a date stated to the month)."""
    if isinstance(value, MonthDate):
        return f"{value:%B %Y}"
    return f"{value.day} {value:%B %Y}"


def letter_title(letter: str) -> str:
    """Print a CCPA letter with its title, e.g. 'A. Identifiers'."""
    category = BY_LETTER.get(letter)
    return f"{letter}. {category.title}" if category else letter


def source_label(source: str) -> str:
    """Print where information comes from."""
    return labels.label(labels.SOURCES, source)


FILTERS: dict[str, Callable[..., Any]] = {
    "md": md,
    "cell": cell,
    "join_and": join_and,
    "lower_first": lower_first,
    "capitalize_first": capitalize_first,
    "suffix": suffix,
    "long_date": long_date,
    "letter_title": letter_title,
    "source_label": source_label,
    "duration": labels.duration,
}
