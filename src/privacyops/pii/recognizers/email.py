"""Email addresses: a local part, ``@``, and a domain whose last label is alphabetic."""

from __future__ import annotations

from typing import ClassVar

from privacyops.pii.recognizers.base import Pattern, Recognizer

# Flat classes, not nested groups: nested quantifiers make ``re`` backtrack badly on long words.
_LOCAL_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._%+'-"
_LOCAL = r"[A-Za-z0-9._%+'-]{1,64}"
_DOMAIN = r"[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){0,4}\.[A-Za-z]{2,24}"


class EmailRecognizer(Recognizer):
    ENTITY: ClassVar[str] = "EMAIL_ADDRESS"
    PATTERNS: ClassVar[tuple[Pattern, ...]] = (
        Pattern("email", rf"{_LOCAL}@{_DOMAIN}\b", 0.9, requires=("@",), anchor="@", anchor_reach=64,
                anchor_run=_LOCAL_CHARS),
    )
    # No context words: the shape is certain enough, and skipping the lookup keeps emails cheap.

    def invalidate_result(self, value: str) -> bool:
        local, _, domain = value.rpartition("@")
        # "user@host.png"-like tails are file names in paths or asset references, not mailboxes.
        if not local or local[0] == "." or local[-1] == "." or ".." in local:
            return True
        return domain.rsplit(".", 1)[-1].lower() in _FILE_SUFFIXES


_FILE_SUFFIXES = frozenset({"png", "jpg", "jpeg", "gif", "svg", "webp", "js", "css", "map", "py", "ts"})
