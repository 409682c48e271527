"""The fifteen sections of a notice, in the order the seed notice uses, each with a stable anchor."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Section:
    """A numbered section: its anchor (the link target) and its heading."""

    number: int
    anchor: str
    title: str

    @property
    def heading(self) -> str:
        """Return the heading as printed, with its number."""
        return f"{self.number}. {self.title}"


SECTIONS: tuple[Section, ...] = (
    Section(1, "information-we-collect", "What information we collect"),
    Section(2, "how-we-use-information", "How we use your information"),
    Section(3, "legal-bases", "The legal grounds we rely on"),
    Section(4, "sharing", "Who receives your information"),
    Section(5, "cookies", "Cookies and tracking technologies"),
    Section(6, "social-logins", "Signing in with a social account"),
    Section(7, "retention", "How long we keep your information"),
    Section(8, "security", "How we protect your information"),
    Section(9, "minors", "Children and minors"),
    Section(10, "your-rights", "Your privacy rights"),
    Section(11, "do-not-track", "Do-Not-Track and Global Privacy Control"),
    Section(12, "united-states", "Additional information for United States residents"),
    Section(13, "updates", "Changes to this notice"),
    Section(14, "contact", "How to contact us"),
    Section(15, "review-update-delete", "How to review, update or delete your data"),
)

BY_ANCHOR: dict[str, Section] = {section.anchor: section for section in SECTIONS}
