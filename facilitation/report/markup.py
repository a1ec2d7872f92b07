"""Chat Markdown in quotes, rendered as HTML (never shown escaped, never raw HTML).

People write ``**bold**``, ``_stress_``, `` `code` ``, ``~~struck~~``, ``[a link](url)``
and backslash escapes (``\\[topic\\]``) in chat. A report shows what they meant:
markdown-it-py renders those inline rules only, with raw HTML off (it is escaped),
and links limited to safe schemes by its own validator.
"""

from __future__ import annotations

from functools import lru_cache

from markdown_it import MarkdownIt

__all__ = ["inline_html"]


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    md = MarkdownIt("zero", {"html": False, "linkify": False, "typographer": False})
    return md.enable(["emphasis", "backticks", "strikethrough", "link", "escape", "entity"])


def inline_html(text: str) -> str:
    """``text`` (one chat message or sentence) as safe inline HTML."""
    html = str(_parser().renderInline(" ".join(text.split())))
    return html.replace("<a href=", '<a rel="nofollow noopener" href=')
