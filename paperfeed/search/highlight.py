"""Highlighted titles and snippets: HTML-escaped text with ``<mark>`` around matched words.

Safety: every piece of paper text goes through ``html.escape`` and the only markup we add
is ``<mark>``/``</mark>``, so a hostile title (``<script>``, ``"><img onerror=…>``) is shown
as text. Matching uses the same stemming as the index (``learning`` marks ``learned``), so
what is marked is what matched.
"""

from __future__ import annotations

import html
import re
import time
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from functools import lru_cache

from .embedder import normalize_text
from .lexical import STOPWORDS, analyze

_MATH = re.compile(r"\$[^$]*\$")
_WORD_END = re.compile(r"\w*")
SNIPPET_WORDS = 40


@lru_cache(maxsize=100_000)  # words of the abstracts shown; a miss costs a tantivy analyze
def _stems(word: str) -> tuple[str, ...]:
    return tuple(analyze(word))


def query_terms(words: list[str], phrases: list[str]) -> frozenset[str]:
    """Stemmed terms worth marking (stopwords only when the query has nothing else)."""
    terms = analyze(" ".join([*words, *phrases]))
    content = [t for t in terms if t not in STOPWORDS]
    return frozenset(content or terms)


# The abstracts of recently shown papers, LaTeX flattened (~3 KB each with the original as key,
# ~25 MB per web process when full): results pages show the same papers for many queries, and
# flattening costs more than finding the snippet in it. 2,048 held under half of the 4,148 papers
# that 800 new queries showed on the sample, so half the snippets flattened again.
_flat = lru_cache(maxsize=8192)(normalize_text)


def warm(abstracts: Iterable[str], seconds: float) -> int:
    """Flatten ``abstracts`` into the cache before their first snippet (a web worker's warm-up
    passes the newest papers'); stops when the cache is full or after ``seconds`` of this thread's
    CPU. How many are cached now."""
    started, done = time.thread_time(), 0
    for abstract in abstracts:
        if done >= (_flat.cache_info().maxsize or 0) or time.thread_time() - started > seconds:
            break
        _flat(abstract)
        done += 1
    return done


# Words the English stemmer does not start with their stem less its last letter ("dying" -> "die"):
# its exceptional forms (Porter2's list), each word kept under the stems it gives when it breaks the rule.
_EXCEPTIONAL = ("skis", "skies", "dying", "lying", "tying", "idly", "gently", "ugly", "early", "only", "singly")


def _irregular() -> dict[str, tuple[str, ...]]:
    out: dict[str, list[str]] = {}
    for word in _EXCEPTIONAL:
        for stem in analyze(word):
            if not word.startswith(_prefix(stem)):
                out.setdefault(stem, []).append(word)
    return {stem: tuple(words) for stem, words in out.items()}


def _prefix(stem: str) -> str:
    """What every plain word stemming to ``stem`` starts with: the stemmer only rewrites endings,
    by one letter at most within the stem ("studies" -> "studi", "happy" -> "happi")."""
    return stem[:-1] if len(stem) > 1 else stem


_IRREGULAR = _irregular()


@lru_cache(maxsize=4096)  # one pattern per set of query terms
def _candidates(terms: frozenset[str], plain: bool) -> re.Pattern[str]:
    """Whole words that may match ``terms``: those a word-by-word check could not skip.

    The English stemmer only rewrites a word's ending (:func:`_prefix`; the few exceptional words
    are looked for as they are), so a plain ASCII word (letters and digits) that starts with no
    term's prefix cannot match; every other word (accents, other scripts, an underscore) is stemmed
    to find out. The regex engine skips the rest without a Python step. ``plain``: the text is
    ASCII without underscores, so it has no other words to look for.
    """
    starts = {_prefix(t) for t in terms if t} | {w for t in terms for w in _IRREGULAR.get(t, ())}
    alternatives = [f"(?i:{'|'.join(sorted(map(re.escape, starts), key=len, reverse=True))})\\w*"] if starts else []
    if not plain:
        alternatives.append(r"\w*[^\WA-Za-z0-9]\w*")
    return re.compile(f"(?<!\\w)(?:{'|'.join(alternatives) or '(?!)'})")


@lru_cache(maxsize=4096)  # one tuple per set of query terms
def _plain_starts(terms: frozenset[str]) -> tuple[str, ...] | None:
    """What a candidate word of a plain text starts with, lower case (:func:`_candidates`); None
    when one of them is not plain ASCII, whose case-insensitive match only the regex gets right."""
    starts = {_prefix(t) for t in terms if t} | {w for t in terms for w in _IRREGULAR.get(t, ())}
    return tuple(starts) if all(s.isascii() and s.isalnum() for s in starts) else None


def _word_spans(text: str, terms: frozenset[str]) -> list[tuple[int, int]]:
    """The whole words of ``text`` that :func:`_candidates` would find, in order.

    A plain text is searched with ``str.find`` for each start in its lower-case copy, which C does
    far faster than the regex engine trying the alternatives at every position; a hit inside a word
    is not a word's start, and the word runs to the end of its letters and digits.
    """
    plain = text.isascii() and "_" not in text
    starts = _plain_starts(terms) if plain else None
    if starts is None:
        return [m.span() for m in _candidates(terms, plain).finditer(text)]
    lower, found = text.lower(), {}
    for start in starts:
        at = lower.find(start)
        while at >= 0:
            if (at == 0 or not lower[at - 1].isalnum()) and at not in found:
                found[at] = _WORD_END.match(text, at).end()
            at = lower.find(start, at + 1)
    return sorted(found.items())


def _spans(text: str, terms: frozenset[str], skip_math: bool) -> list[tuple[int, int]]:
    if not terms:
        return []
    # A stem not yet cached costs a call into tantivy, so only candidate words are stemmed; a
    # matching word is then checked against the math spans, and only when the text has math.
    math = [m.span() for m in _MATH.finditer(text)] if skip_math and "$" in text else []
    spans = []
    for start, end in _word_spans(text, terms):
        if terms.isdisjoint(_stems(text[start:end])):
            continue
        if math and any(a <= start < b for a, b in math):
            continue
        spans.append((start, end))
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


def _best_window(hits: list[int], tokens: int, words: int) -> int:
    """The first token of the earliest ``words``-token window holding the most hit tokens.

    ``hits`` are the matches' token numbers, ascending. A window's count only rises when its
    last token reaches a hit, so the earliest best window starts at 0 or ``hit - words + 1``.
    """
    best, best_count = 0, bisect_right(hits, words - 1)
    for hit in hits:
        start = hit - words + 1
        if 0 < start <= tokens - words:
            count = bisect_right(hits, hit) - bisect_left(hits, start)
            if count > best_count:
                best, best_count = start, count
    return best


def snippet(abstract: str, terms: frozenset[str], words: int = SNIPPET_WORDS) -> str:
    """The ~``words``-word window of the abstract with the most matches, LaTeX flattened."""
    text = _flat(abstract)
    if not text:
        return ""
    spans = _spans(text, terms, skip_math=False)
    # normalize_text leaves single spaces between words, so a word's number is the spaces before it
    # (counted in C: splitting the whole text into words cost more than the rest of a snippet).
    tokens = text.count(" ") + 1
    if tokens <= words:
        return _render(text, spans)
    hits, seen, position = [], 0, 0
    for start, _ in spans:
        seen += text.count(" ", position, start)
        position = start
        hits.append(seen)
    first = _best_window(hits, tokens, words)
    # The window's ends from the spaces around it, found by C's split: a word's number is known,
    # and a split bounded by maxsplit stops there.
    if first == 0:
        lo, hi = 0, len(text) - len(text.split(" ", words)[-1]) - 1
    else:  # the window ends on a hit's word (_best_window): its spaces before it, and the next one
        last = spans[bisect_left(hits, first + words - 1)][0]
        lo = len(text[:last].rsplit(" ", words)[0]) + 1
        hi = text.find(" ", last)
        hi = len(text) if hi < 0 else hi
    inner = [(a - lo, b - lo) for a, b in spans if a >= lo and b <= hi]
    body = _render(text[lo:hi], inner)
    return ("… " if lo > 0 else "") + body + (" …" if hi < len(text) else "")
