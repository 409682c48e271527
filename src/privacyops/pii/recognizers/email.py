"""Email addresses: a local part, ``@``, and a domain whose last label is alphabetic."""

from __future__ import annotations

from typing import ClassVar

from privacyops.pii.recognizers.base import Pattern, Recognizer

_LOCAL = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]{1,64}(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]{1,64}){0,8}"
_DOMAIN = r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.){1,8}[A-Za-z]{2,24}"


class EmailRecognizer(Recognizer):
    ENTITY: ClassVar[str] = "EMAIL_ADDRESS"
    PATTERNS: ClassVar[tuple[Pattern, ...]] = (
        Pattern("email", rf"{_LOCAL}@{_DOMAIN}\b", 0.9, requires=("@",)),
    )
    CONTEXT: ClassVar[tuple[str, ...]] = ("email", "e-mail", "mail", "contact", "address")

    def invalidate_result(self, value: str) -> bool:
        local, _, domain = value.rpartition("@")
        # "user@host.png"-like tails are file names in paths or asset references, not mailboxes.
        return domain.rsplit(".", 1)[-1].lower() in _FILE_SUFFIXES or not local


_FILE_SUFFIXES = frozenset({"png", "jpg", "jpeg", "gif", "svg", "webp", "js", "css", "map", "py", "ts"})
