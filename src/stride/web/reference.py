"""The clinical reference rendered as HTML (Markdown from ``stride.clinical.reference``)."""

from __future__ import annotations

from functools import cache

from markdown_it import MarkdownIt
from markupsafe import Markup

from stride.clinical.reference import rules_markdown


@cache
def reference_html() -> Markup:
    # html=False: the package data is ours, but nothing in it may inject markup into the page.
    md = MarkdownIt("commonmark", {"html": False}).enable("table")
    return Markup(md.render(rules_markdown()))  # noqa: S704 - markdown-it escapes all text
