"""Plain values the notice templates print, each with the manifest key it comes from."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CategoryView:
    """A data category as the notice lists it."""

    key: str
    name: str
    description: str
    examples: tuple[str, ...]
    sensitive: bool | str
    purposes: tuple[str, ...] = ()
    ccpa: str = ""

    @property
    def path(self) -> str:
        """Return the trace path of the category."""
        return f"data_categories/{self.key}"


@dataclass(frozen=True)
class PurposeView:
    """A purpose with its legal grounds in words."""

    key: str
    name: str
    description: str
    categories: tuple[str, ...]
    bases: tuple[str, ...]
    withdrawal: tuple[str, ...]

    @property
    def path(self) -> str:
        """Return the trace path of the purpose."""
        return f"purposes/{self.key}"

    @property
    def canada(self) -> str:
        """Return the Canadian ground of the purpose in words, or an empty string."""
        return "; ".join(b.removeprefix("PIPEDA: ") for b in self.bases if b.startswith("PIPEDA: "))


@dataclass(frozen=True)
class BasisView:
    """A GDPR legal basis in use, what it means and which purposes rest on it."""

    key: str
    name: str
    article: str
    explanation: str
    purposes: tuple[str, ...]
    interests: tuple[str, ...] = ()
    paths: tuple[str, ...] = ()


@dataclass(frozen=True)
class RecipientView:
    """A subprocessor or other recipient as the sharing section lists it."""

    path: str
    name: str
    legal_entity: str
    description: str
    country: str
    transfer: str
    categories: tuple[str, ...]
    privacy_policy_url: str


@dataclass(frozen=True)
class RegionView:
    """A region's rights and how fast requests are answered there."""

    key: str
    name: str
    law: str
    rights: tuple[str, ...]
    deadline: str
    extension: str
    special_deadlines: tuple[str, ...]
    authority_name: str
    authority_url: str

    @property
    def path(self) -> str:
        """Return the trace path of the region."""
        return f"regions/{self.key}"


@dataclass(frozen=True)
class Traced:
    """A line of text and the manifest key it comes from."""

    text: str
    path: str
