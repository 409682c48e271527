"""Render the privacy notice from the manifest, as GitHub-flavoured markdown or as an HTML page.

The markdown is the single source of the prose; the HTML is the same markdown converted section by
section, so both formats always state the same facts.
"""

from __future__ import annotations

import datetime as dt
import functools
import html
import re
from collections.abc import Sequence
from typing import Literal

import jinja2
from markdown_it import MarkdownIt

from privacyops.manifest import schema
from privacyops.notice import context, filters, html_page
from privacyops.notice.sections import Section
from privacyops.reports import ccpa

Format = Literal["md", "html"]
_BLANK_LINES = re.compile(r"\n{3,}")


def render_notice(manifest: schema.Manifest, fmt: Format) -> str:
    """Return the whole notice in the given format: 'md' (markdown) or 'html' (a complete page)."""
    if fmt == "md":
        return render_markdown(manifest)
    if fmt == "html":
        return html_page.page(manifest, render_notice_body(manifest))
    raise ValueError(f"unknown notice format {fmt!r}; use 'md' or 'html'")


def render_markdown(manifest: schema.Manifest, *, traced: bool = False) -> str:
    """Return the notice as markdown with a table of contents and anchored section headings.

    `traced` marks every statement with the manifest keys it rests on (see privacyops.notice.trace).
    """
    ctx = context.build(manifest, trace_keys=traced)
    parts = [f"# {filters.md(manifest.notice.title)}", _last_updated_md(ctx), _part("intro", ctx),
             _part("toc", ctx)]
    for section in ctx.sections:
        parts.append(f'<a id="{section.anchor}"></a>\n\n## {section.heading}\n\n{_section(section, ctx)}')
    return _tidy("\n\n".join(parts))


def render_notice_body(
    manifest: schema.Manifest,
    recorded: Sequence[ccpa.RecordedDisclosure] = (),
    as_of: dt.date | None = None,
) -> str:
    """Return the notice as HTML without the page shell, for embedding in another layout.

    `recorded` (the disclosures ledger) and `as_of` shape the CCPA statements, see context.build.
    """
    ctx = context.build(manifest, recorded=recorded, as_of=as_of)
    parts = [
        '<header class="notice-header">',
        f'<h1 id="notice-title">{html.escape(manifest.notice.title)}</h1>',
        _last_updated_html(ctx),
        "</header>",
        _to_html(_part("intro", ctx)).replace("<h2>Key points</h2>", '<h2 id="key-points">Key points</h2>'),
        _toc_html(ctx.sections),
    ]
    for section in ctx.sections:
        parts.append(_section_html(section, _section(section, ctx)))
    return "\n".join(parts) + "\n"


def _last_updated_md(ctx: context.NoticeContext) -> str:
    notice = ctx.manifest.notice
    version = f" · version {filters.md(notice.version)}" if notice.version else ""
    if notice.last_updated is None:
        return f"**Version:** {filters.md(notice.version)}{ctx.t('notice/version')}" if notice.version else ""
    return (f"**Last updated:** {filters.long_date(notice.last_updated)}{version}"
            f"{ctx.t('notice/last_updated', 'notice/version' if notice.version else '')}")


def _section(section: Section, ctx: context.NoticeContext) -> str:
    if section.item is None:
        return _part(section.template, ctx)
    return _environment().get_template("md/free_text.md.j2").render(
        ctx=ctx, m=ctx.manifest, t=ctx.t, item=ctx.manifest.free_text[section.item],
        path=f"free_text/{section.item}").strip()


def _last_updated_html(ctx: context.NoticeContext) -> str:
    notice = ctx.manifest.notice
    version = f" · version {html.escape(notice.version)}" if notice.version else ""
    if ctx.last_updated is None:
        return f'<p class="last-updated">Version {html.escape(notice.version)}</p>' if notice.version else ""
    return (f'<p class="last-updated">Last updated: <time datetime="{ctx.last_updated.isoformat()}">'
            f"{filters.long_date(ctx.last_updated)}</time>{version}</p>")


def _part(name: str, ctx: context.NoticeContext) -> str:
    template = _environment().get_template(f"md/{name}.md.j2")
    return template.render(ctx=ctx, m=ctx.manifest, t=ctx.t).strip()


def _tidy(text: str) -> str:
    return _BLANK_LINES.sub("\n\n", text).strip() + "\n"


def _toc_html(sections: tuple[Section, ...]) -> str:
    items = "\n".join(f'<li><a href="#{s.anchor}">{html.escape(s.title)}</a></li>' for s in sections)
    return (f'<nav class="toc" aria-labelledby="contents">\n<h2 id="contents">Contents</h2>\n'
            f"<ol>\n{items}\n</ol>\n</nav>")


def _section_html(section: Section, body_md: str) -> str:
    return (f'<section aria-labelledby="{section.anchor}">\n'
            f'<h2 id="{section.anchor}">{html.escape(section.heading)}</h2>\n'
            f"{_to_html(body_md)}</section>")


def _to_html(markdown: str) -> str:
    return _markdown().render(markdown)


@functools.cache
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("privacyops.notice", "templates"),
        autoescape=False,  # markdown output; values are escaped for markdown by the `md` filter
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters.update(filters.FILTERS)
    return env


@functools.cache
def _markdown() -> MarkdownIt:
    converter = MarkdownIt("commonmark", {"html": False}).enable("table")
    html_page.add_table_rules(converter)
    return converter
