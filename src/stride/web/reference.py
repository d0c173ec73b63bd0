"""The clinical reference rendered as HTML (Markdown from ``stride.clinical.reference``)."""

from __future__ import annotations

from functools import cache

from markdown_it import MarkdownIt
from markupsafe import Markup

from stride.clinical.reference import rules_markdown

_SCROLL = (
    '<div class="table-scroll" tabindex="0" role="region" '
    'aria-label="Table, scrolls sideways on a small screen">'
)


@cache
def reference_html() -> Markup:
    # html=False: the package data is ours, but nothing in it may inject markup into the page.
    md = MarkdownIt("commonmark", {"html": False}).enable("table")
    # Wide tables scroll inside their box on a phone, not the whole page.
    html = (
        md.render(rules_markdown())
        .replace("<table>", _SCROLL + "<table>")
        .replace("</table>", "</table></div>")
    )
    return Markup(html)  # noqa: S704 - markdown-it escapes all text
