"""The search box's query language, parsed into a :class:`ParsedQuery`.

One grammar for the search page and the JSON API::

    free text  "quoted phrase"  cat:cs.LG  author:"Yann LeCun"  after:2025-01-01  before:2025-12
    sort:newest | sort:upvoted | sort:relevance      2503.11731 / arXiv:… / https://arxiv.org/abs/…

Why hand-written and forgiving: people paste anything into a search box (titles with
colons, LaTeX, unbalanced quotes, ``AND OR NOT``, 10k characters). Nothing here raises;
what could not be understood becomes plain words plus a human-readable note in
``ParsedQuery.notes`` that the results page shows. Boolean operators are not part of the
language: ``AND``/``OR``/``NOT`` are ordinary (stop)words.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, timedelta

from paperfeed.papers.arxiv import CONTROL_RE, ArxivId, canonical_category, parse_arxiv_id

MAX_QUERY_CHARS = 10_000  # a pasted abstract fits; longer text is cut with a note
SORTS = {
    "relevance": "relevance", "best": "relevance", "score": "relevance",
    "newest": "newest", "new": "newest", "date": "newest", "recent": "newest", "latest": "newest",
    "upvoted": "upvoted", "most upvoted": "upvoted", "most_upvoted": "upvoted", "votes": "upvoted",
    "upvotes": "upvoted", "top": "upvoted", "popular": "upvoted",
}
_KEYS = {"cat": "cat", "category": "cat", "author": "author", "au": "author", "after": "after",
         "since": "after", "from": "after", "before": "before", "until": "before", "sort": "sort"}
# key:"value with spaces" | key:value | "phrase" | "unterminated phrase | bare token
_TOKEN = re.compile(
    r'(?P<key>[A-Za-z]+):(?:"(?P<qval>[^"]*)"?|(?P<val>[^\s"]*))'
    r'|"(?P<phrase>[^"]*)"?'
    r'|(?P<word>[^\s"]+)'
)


@dataclass
class ParsedQuery:
    """What a query asks for. ``text`` is the free text (phrases included) for ranking."""

    raw: str = ""
    words: list[str] = field(default_factory=list)
    phrases: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    authors: list[str] = field(default_factory=list)
    after: date | None = None
    before: date | None = None
    sort: str | None = None
    arxiv_id: ArxivId | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        """Free text for ranking: the words and phrases, operators removed."""
        return " ".join([*self.words, *self.phrases]).strip()

    @property
    def has_filters(self) -> bool:
        return bool(self.categories or self.authors or self.after or self.before)


def parse_date(value: str, *, end: bool = False) -> date | None:
    """``YYYY-MM-DD``, ``YYYY-MM`` or ``YYYY``; ``end`` picks the last day of a month/year."""
    value = value.strip()
    try:
        if re.fullmatch(r"\d{4}-\d{1,2}-\d{1,2}", value):
            y, m, d = (int(x) for x in value.split("-"))
            return date(y, m, d)
        if re.fullmatch(r"\d{4}-\d{1,2}", value):
            y, m = (int(x) for x in value.split("-"))
            first = date(y, m, 1)
            if not end:
                return first
            return (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
        if re.fullmatch(r"\d{4}", value):
            y = int(value)
            return date(y, 12, 31) if end else date(y, 1, 1)
    except ValueError:
        return None
    return None


def clean(text: str) -> str:
    """Unicode NFC, no control characters, whitespace collapsed."""
    text = unicodedata.normalize("NFC", text or "")
    text = CONTROL_RE.sub(" ", text)
    return " ".join(text.split())


def parse_query(raw: str | None) -> ParsedQuery:
    """Parse the search box. Never raises; see the module docstring for the grammar."""
    text = clean(raw or "")
    parsed = ParsedQuery(raw=text)
    if len(text) > MAX_QUERY_CHARS:
        text = text[:MAX_QUERY_CHARS]
        parsed.notes.append(f"Your query was shortened to its first {MAX_QUERY_CHARS} characters.")
    if not text:
        return parsed
    whole = parse_arxiv_id(text)
    if whole is not None:
        parsed.arxiv_id = whole
        return parsed
    for match in _TOKEN.finditer(text):
        key = match.group("key")
        if key is not None and key.lower() in _KEYS:
            value = match.group("qval") if match.group("qval") is not None else (match.group("val") or "")
            _apply_operator(parsed, _KEYS[key.lower()], key, value.strip())
        elif key is not None:
            # "Title: subtitle" or a URL: not an operator, keep the words.
            parsed.words.append(match.group(0).strip('"'))
        elif match.group("phrase") is not None:
            phrase = match.group("phrase").strip()
            if not phrase:
                continue
            if " " in phrase:
                parsed.phrases.append(phrase)
            else:
                parsed.words.append(phrase)
        else:
            word = match.group("word")
            if parsed.arxiv_id is None and not parsed.words and (found := parse_arxiv_id(word)):
                # An id with a filter around it ("2503.11731 cat:cs.CV") still goes to the paper.
                parsed.arxiv_id = found
                continue
            parsed.words.append(word)
    if text.count('"') % 2:
        parsed.notes.append("An unclosed quote was closed at the end of your query.")
    if parsed.arxiv_id is not None and (parsed.words or parsed.phrases):
        # The id was only the first of several words: treat everything as text.
        parsed.words.insert(0, str(parsed.arxiv_id))
        parsed.arxiv_id = None
    if parsed.after and parsed.before and parsed.after > parsed.before:
        parsed.notes.append(f"after:{parsed.after} is later than before:{parsed.before}; nothing can match both.")
    return parsed


def _apply_operator(parsed: ParsedQuery, key: str, given_key: str, value: str) -> None:
    if not value:
        parsed.notes.append(f"{given_key}: needs a value (e.g. {_example(key)}); it was ignored.")
        return
    if key == "cat":
        for part in value.replace(",", " ").split():
            if category := canonical_category(part):
                parsed.categories.append(category)
            else:
                parsed.notes.append(f"“{part[:40]}” is not an arXiv category (e.g. cs.LG); it was ignored.")
    elif key == "author":
        parsed.authors.append(value[:200])
    elif key in ("after", "before"):
        day = parse_date(value, end=key == "before")
        if day is None:
            parsed.notes.append(f"{given_key}:{value[:40]} is not a date (use YYYY-MM-DD); it was ignored.")
        elif key == "after":
            parsed.after = day
        else:
            parsed.before = day
    elif key == "sort":
        sort = normalize_sort(value)
        if sort is None:
            parsed.notes.append(f"sort:{value[:40]} is unknown (use relevance, newest or upvoted); it was ignored.")
        else:
            parsed.sort = sort


def normalize_sort(value: str | None) -> str | None:
    """'relevance' | 'newest' | 'upvoted' for any accepted spelling, None when unknown."""
    if value is None:
        return None
    return SORTS.get(value.strip().lower().replace("-", " ").replace("_", " ")) or SORTS.get(value.strip().lower())


def _example(key: str) -> str:
    return {"cat": "cat:cs.LG", "author": 'author:"Yann LeCun"', "after": "after:2025-01-01",
            "before": "before:2025-12-31", "sort": "sort:newest"}[key]
