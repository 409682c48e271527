"""Evidence uploads are typed by their first bytes, and the name must agree."""

from __future__ import annotations

import pytest

from privacyops.execution.evidence_files import EvidenceRejected, Upload, content_type

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 16
MAIL = b"Received: from mx.example\r\nFrom: dpo@recipient.example\r\n\r\nDone.\r\n"


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("scan.PNG", PNG, "image/png"),
        ("reply.eml", MAIL, "message/rfc822"),
        ("reply.txt", MAIL, "text/plain"),  # a saved e-mail named .txt is text
        ("note.txt", "Bestätigt, gelöscht.".encode(), "text/plain"),
        ("letter.pdf", b"%PDF-1.7\n", "application/pdf"),
    ],
)
def test_accepted_files(name: str, content: bytes, expected: str) -> None:
    assert content_type(Upload(name, content), limit=1000) == expected


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("scan.png", b"%PDF-1.7\n", "contents are not a .png"),
        ("note.txt", b"abc\0def", "contents are not a .txt"),
        ("reply.eml", b"just words, no headers", "contents are not a .eml"),
        ("page.html", b"<html></html>", "a .html file is not accepted"),
        ("noextension", b"text", "a file without an extension is not accepted"),
        ("empty.txt", b"", "the file is empty"),
        ("big.txt", b"a" * 1001, "larger than the 1000 bytes allowed"),
    ],
)
def test_refused_files_name_the_field_and_the_fix(name: str, content: bytes, words: str) -> None:
    with pytest.raises(EvidenceRejected, match=words) as refused:
        content_type(Upload(name, content), limit=1000)
    assert refused.value.field == "file"
    assert refused.value.too_large == (name == "big.txt")
