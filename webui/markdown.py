"""Release notes as sanitised HTML: markdown-it renders, nh3 keeps only safe tags and links."""

from __future__ import annotations

import nh3
from markdown_it import MarkdownIt

__all__ = ["render_markdown"]

_md = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table").enable("strikethrough")


def render_markdown(text: str | None) -> str:
    """HTML safe to show in the console (no scripts, no event handlers, http(s)/mailto links only)."""
    return nh3.clean(_md.render(text or ""), url_schemes={"http", "https", "mailto"}, link_rel="noopener noreferrer")
