"""A comment's Markdown as safe HTML: CommonMark with $…$ / $$…$$ math, raw HTML always escaped.

Three guards, each enough on its own for the usual attacks:

- markdown-it runs with ``html`` off, so ``<script>`` or ``<img onerror>`` typed in a comment is
  text, and its link validator refuses ``javascript:``, ``vbscript:``, ``file:`` and ``data:`` URLs;
- math is cut out before Markdown sees it (``_`` in ``$a_1$`` is no emphasis) and written back
  HTML-escaped between ``\\(…\\)`` / ``\\[…\\]`` in an element marked ``.math``, which the page's
  KaTeX (``trust: false``) typesets from text nodes, so LaTeX cannot produce markup or links;
- the result goes through nh3 (the Ammonia sanitizer) with a short allowlist of tags and
  attributes, and every link gets ``rel="nofollow ugc noopener noreferrer"``.

Only the output of :func:`to_html` is ever marked safe in a template, never the member's text.
"""

from __future__ import annotations

from typing import Any

import nh3
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from mdit_py_plugins.dollarmath import dollarmath_plugin

TAGS = {
    "p", "br", "hr", "em", "strong", "del", "code", "pre", "blockquote", "ul", "ol", "li", "a",
    "h1", "h2", "h3", "h4", "h5", "h6", "span", "div", "table", "thead", "tbody", "tr", "th", "td",
}
ATTRIBUTES = {"a": {"href", "title"}, "span": {"class"}, "div": {"class"}, "ol": {"start"}}
URL_SCHEMES = {"http", "https", "mailto"}


def _math(content: str, options: dict[str, Any]) -> str:
    escaped = escapeHtml(content)
    return f"\\[{escaped}\\]" if options.get("display_mode") else f"\\({escaped}\\)"


def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable(["table", "strikethrough"])
    md.disable("image")  # an image would load a URL of the author's choosing in every reader's browser
    # Its elements carry class "math inline" / "math block": .math is what the page's KaTeX looks for.
    dollarmath_plugin(md, allow_labels=False, allow_space=False, allow_digits=False, double_inline=True,
                      renderer=_math)
    # $$…$$ inside a paragraph: a <span> (the plugin's <div> cannot sit in a <p>), typeset as display.
    md.add_render_rule("math_inline_double", lambda self, tokens, idx, options, env: (
        f'<span class="math display">{_math(tokens[idx].content, {"display_mode": True})}</span>'))
    return md


_MD = _parser()


def to_html(source: str) -> str:
    """Sanitised HTML for a comment body (the page then typesets the ``.math`` elements)."""
    rendered = _MD.render(source or "")
    return nh3.clean(
        rendered,
        tags=TAGS,
        attributes=ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="nofollow ugc noopener noreferrer",
    )


def to_text(source: str) -> str:
    """The body as plain text for email and feeds (the Markdown source: readable, and never markup)."""
    return (source or "").strip()
