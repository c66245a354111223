"""Highlighted titles and snippets: HTML-escaped text with ``<mark>`` around matched words.

Safety: every piece of paper text goes through ``html.escape`` and the only markup we add
is ``<mark>``/``</mark>``, so a hostile title (``<script>``, ``"><img onerror=…>``) is shown
as text. Matching uses the same stemming as the index (``learning`` marks ``learned``), so
what is marked is what matched.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache

from .embedder import normalize_text
from .lexical import STOPWORDS, analyze

_WORD = re.compile(r"\w+", re.UNICODE)
_MATH = re.compile(r"\$[^$]*\$")
SNIPPET_WORDS = 40


@lru_cache(maxsize=100_000)  # words of the abstracts shown; a miss costs a tantivy analyze
def _stems(word: str) -> tuple[str, ...]:
    return tuple(analyze(word))


def query_terms(words: list[str], phrases: list[str]) -> frozenset[str]:
    """Stemmed terms worth marking (stopwords only when the query has nothing else)."""
    terms = analyze(" ".join([*words, *phrases]))
    content = [t for t in terms if t not in STOPWORDS]
    return frozenset(content or terms)


def _spans(text: str, terms: frozenset[str], skip_math: bool) -> list[tuple[int, int]]:
    if not terms:
        return []
    # Cheapest tests first. The English stemmer only rewrites a word's ending, so a plain ASCII
    # word whose first letter starts no term cannot match: it is skipped without stemming (a
    # stem not yet cached costs a call into tantivy). A matching word is then checked against
    # the math spans, and only when the text has math.
    initials = frozenset(t[0] for t in terms if t)
    math = [m.span() for m in _MATH.finditer(text)] if skip_math and "$" in text else []
    spans = []
    for m in _WORD.finditer(text):
        word = m.group(0)
        if word.isascii() and word.isalnum() and word[0].lower() not in initials:
            continue
        if terms.isdisjoint(_stems(word)):
            continue
        if math and any(a <= m.start() < b for a, b in math):
            continue
        spans.append(m.span())
    return spans


def _render(text: str, spans: list[tuple[int, int]]) -> str:
    out, pos = [], 0
    for start, end in spans:
        out.append(html.escape(text[pos:start]))
        out.append(f"<mark>{html.escape(text[start:end])}</mark>")
        pos = end
    out.append(html.escape(text[pos:]))
    return "".join(out)


def highlight_title(title: str, terms: frozenset[str]) -> str:
    """The whole title, whitespace collapsed; LaTeX ``$…$`` left intact for KaTeX."""
    text = " ".join((title or "").split())
    return _render(text, _spans(text, terms, skip_math=True))


def snippet(abstract: str, terms: frozenset[str], words: int = SNIPPET_WORDS) -> str:
    """The ~``words``-word window of the abstract with the most matches, LaTeX flattened."""
    text = normalize_text(abstract)
    if not text:
        return ""
    tokens = list(re.finditer(r"\S+", text))
    spans = _spans(text, terms, skip_math=False)
    if len(tokens) <= words:
        return _render(text, spans)
    starts = [t.start() for t in tokens]
    hits_per_token = [0] * len(tokens)
    j = 0
    for s, _ in spans:
        while j + 1 < len(starts) and starts[j + 1] <= s:
            j += 1
        hits_per_token[j] += 1
    best, best_count, window = 0, -1, sum(hits_per_token[:words])
    for i in range(0, len(tokens) - words + 1):
        if i:
            window += hits_per_token[i + words - 1] - hits_per_token[i - 1]
        if window > best_count:
            best, best_count = i, window
    lo = tokens[best].start()
    hi = tokens[min(best + words, len(tokens)) - 1].end()
    inner = [(a - lo, b - lo) for a, b in spans if a >= lo and b <= hi]
    body = _render(text[lo:hi], inner)
    return ("… " if lo > 0 else "") + body + (" …" if hi < len(text) else "")
