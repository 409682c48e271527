"""The self-contained HTML page around the notice body, and the HTML details of its tables."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

import jinja2
from markdown_it import MarkdownIt
from markdown_it.token import Token

from privacyops.manifest import schema


def page(manifest: schema.Manifest, body: str, lang: str = "en") -> str:
    """Return a complete, accessible HTML page holding the notice body; no external assets."""
    return _environment().get_template("html/page.html.j2").render(
        body=body, lang=lang, title=manifest.notice.title, controller=manifest.controller.legal_name
    )


def add_table_rules(converter: MarkdownIt) -> None:
    """Make tables scroll on narrow screens and mark header cells as column headers."""
    converter.add_render_rule("table_open", _table_open)
    converter.add_render_rule("table_close", _table_close)
    converter.add_render_rule("th_open", _th_open)


def _table_open(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    return '<div class="table-scroll">\n<table>\n'


def _table_close(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    return "</table>\n</div>\n"


def _th_open(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    tokens[idx].attrSet("scope", "col")
    return str(self.renderToken(tokens, idx, options, env))


@functools.cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("privacyops.notice", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
