"""Template filters for a paper's metadata: links in arXiv comments, star counts.

Authors write URLs into arXiv's comment field as plain text or LaTeX (``\\url{…}``,
``\\href{…}{…}``). :func:`link_urls` makes them links a reader can follow, through Django's
``urlize`` (escapes everything else, http(s) only, ``rel="nofollow"``), so a comment can never
inject markup.
"""

from __future__ import annotations

import re

from django import template
from django.utils.html import urlize
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

# \url{X} and \href{X}{text}: the URL itself is what a reader needs.
_LATEX_URL_RE = re.compile(r"\\(?:url|href)\{(https?://[^{}\s]+)\}(?:\{[^{}]*\})?")


@register.filter(is_safe=True)
def link_urls(text: str | None) -> SafeString:
    """The text, escaped, with its http(s) URLs as nofollow links."""
    if not text:
        return mark_safe("")
    plain = _LATEX_URL_RE.sub(r"\1", str(text)).replace("\\_", "_").replace("\\%", "%")
    return mark_safe(urlize(" ".join(plain.split()), nofollow=True, autoescape=True))


@register.filter
def compact_count(value: int | None) -> str:
    """1234 → "1.2k", the way code hosts show stars."""
    if value is None:
        return ""
    if value < 1000:
        return str(value)
    return f"{value / 1000:.1f}".rstrip("0").rstrip(".") + "k"
