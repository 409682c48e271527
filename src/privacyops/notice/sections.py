"""The sections a notice may have, in the order the seed notice uses, each with a stable anchor.

A notice has only the sections its manifest gives something to say: no United States section without a
US region, no cookie section unless cookies are declared. Sections are numbered as they appear, and
cross references name the number the reader sees.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace


@dataclass(frozen=True)
class Section:
    """A numbered section: its anchor (the link target), heading and template."""

    number: int
    anchor: str
    title: str
    template: str = ""
    item: int | None = None  # the index of a free-text section in the manifest's `free_text`

    @property
    def heading(self) -> str:
        """Return the heading as printed, with its number."""
        return f"{self.number}. {self.title}"


SECTIONS: tuple[Section, ...] = (
    Section(1, "information-we-collect", "What information we collect", "s01_collect"),
    Section(2, "how-we-use-information", "How we use your information", "s02_purposes"),
    Section(3, "legal-bases", "The legal grounds we rely on", "s03_legal_bases"),
    Section(4, "sharing", "Who receives your information", "s04_sharing"),
    Section(5, "cookies", "Cookies and tracking technologies", "s05_cookies"),
    Section(6, "social-logins", "Signing in with a social account", "s06_social"),
    Section(7, "retention", "How long we keep your information", "s07_retention"),
    Section(8, "security", "How we protect your information", "s08_security"),
    Section(9, "minors", "Children and minors", "s09_minors"),
    Section(10, "your-rights", "Your privacy rights", "s10_rights"),
    Section(11, "do-not-track", "Do-Not-Track and Global Privacy Control", "s11_signals"),
    Section(12, "united-states", "Additional information for United States residents", "s12_us"),
    Section(13, "updates", "Changes to this notice", "s13_updates"),
    Section(14, "contact", "How to contact us", "s14_contact"),
    Section(15, "review-update-delete", "How to review, update or delete your data", "s15_review"),
)

BY_ANCHOR: dict[str, Section] = {section.anchor: section for section in SECTIONS}


def outline(present: set[str], free_text: Sequence[tuple[str, str]]) -> tuple[Section, ...]:
    """Return the sections to print, numbered in order.

    `present` holds the anchors of the standard sections that have something to say; `free_text` holds
    (title, anchor of the section it goes before) for each free-text section of the manifest.
    """
    chosen: list[Section] = []
    for section in SECTIONS:
        for index, (title, before) in enumerate(free_text):
            if before == section.anchor:
                chosen.append(Section(0, f"more-{index + 1}", title, "free_text", index))
        if section.anchor in present:
            chosen.append(section)
    return tuple(replace(s, number=n) for n, s in enumerate(chosen, start=1))
