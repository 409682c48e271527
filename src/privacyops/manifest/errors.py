"""Findings about a manifest and the error raised when it cannot be loaded."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

Level = Literal["error", "warning", "info"]


@dataclass(frozen=True)
class Finding:
    """One thing wrong with (or worth knowing about) a manifest, located at a key of its file."""

    level: Level
    code: str
    message: str
    file: str = ""
    line: int = 0
    column: int = 0
    key: str = ""
    fix: str = ""

    def as_dict(self) -> dict[str, Any]:
        """Return the finding as plain JSON-ready values."""
        return asdict(self)

    def where(self) -> str:
        """Return `file:line:column`, leaving out what is unknown."""
        if not self.line:
            return self.file
        return f"{self.file}:{self.line}:{self.column}" if self.column else f"{self.file}:{self.line}"

    def __str__(self) -> str:
        fix = f" (fix: {self.fix})" if self.fix else ""
        return f"{self.where()}: {self.level} {self.code} {self.message}{fix}"


class ManifestError(Exception):
    """The manifest could not be loaded; `findings` says where and how to fix it."""

    def __init__(self, findings: list[Finding]) -> None:
        self.findings = list(findings)
        first = str(self.findings[0]) if self.findings else "invalid manifest"
        more = f" (and {len(self.findings) - 1} more)" if len(self.findings) > 1 else ""
        super().__init__(first + more)
