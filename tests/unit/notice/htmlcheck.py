"""A strict reading of generated HTML: balanced tags, heading outline, ids, links and visible text."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


@dataclass
class Outline:
    headings: list[tuple[int, str, str]] = field(default_factory=list)  # (level, id, text)
    ids: list[str] = field(default_factory=list)
    hrefs: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    attrs: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    text: str = ""
    errors: list[str] = field(default_factory=list)


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.outline = Outline()
        self.stack: list[str] = []
        self.heading: tuple[int, str, list[str]] | None = None
        self.chunks: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        self.outline.tags.append(tag)
        self.outline.attrs.append((tag, values))
        if "id" in values:
            self.outline.ids.append(values["id"])
        if tag == "a" and "href" in values:
            self.outline.hrefs.append(values["href"])
        if tag in VOID:
            return
        self.stack.append(tag)
        if len(tag) == 2 and tag[0] == "h" and tag[1].isdigit():
            self.heading = (int(tag[1]), values.get("id", ""), [])

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.outline.errors.append(f"</{tag}> closes <{self.stack[-1] if self.stack else 'nothing'}>")
            return
        self.stack.pop()
        if self.heading and tag == f"h{self.heading[0]}":
            level, ident, parts = self.heading
            self.outline.headings.append((level, ident, "".join(parts).strip()))
            self.heading = None

    def handle_data(self, data: str) -> None:
        self.chunks.append(data)
        if self.heading:
            self.heading[2].append(data)


def read(html: str) -> Outline:
    """Parse the HTML and return what it contains; `errors` lists every unbalanced tag."""
    reader = _Reader()
    reader.feed(html)
    reader.close()
    if reader.stack:
        reader.outline.errors.append(f"unclosed: {reader.stack}")
    reader.outline.text = " ".join("".join(reader.chunks).split())
    return reader.outline
