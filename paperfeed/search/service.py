"""The search service every caller uses: the search page, the JSON API, feeds, digests.

``search(q, …)`` runs in named phases::

    parse -> retrieve -> gate -> account -> group -> sort -> load

*parse* reads the query language (:mod:`.query`) and the explicit parameters into one
request; an arXiv id goes straight to its paper. *retrieve* runs both retrievers with the
filters inside them and fuses them (:mod:`.hybrid`). *gate* keeps what is an answer and
cuts the weak tail (see :func:`_strong`), then drops papers hidden since the last sync.
*account* names every query word no paper holds, and says when the query is not English
(:mod:`.language`). *group* finds topic groups for ambiguous queries (:mod:`.topics`).
*sort* orders by relevance, date or votes. *load* pages, loads the visible papers from the
database and highlights matches (:mod:`.highlight`). Without words (filters only) the
search browses instead, and so does a query that is just a person's name ("LeCun",
"Song Han"): that author's papers, newest first. Without an index, or with a damaged one,
it falls back to word matches in the database (``degraded``).

Paging: the candidate list is a function of the query alone (the lexical retriever goes
:data:`MAX_RESULTS` deep and the dense one :data:`DENSE_DEPTH`, whatever the page), so page *k*
is a slice of one list, the total is
the same on every page, and the last page ends. Past :data:`MAX_RESULTS` matches the list
keeps the best ones and says so. Why 300 and not more: people page through a few hundred
results at most, and every retriever's depth is paid by every first-time query (at 1,000 the
depth alone kept a query far above the 10 ms goal; docs/search.md, Latency).

It never raises for anything a person can type or an API client can send: problems become
notes on the returned :class:`SearchResults` (``message`` joins them). Only a bug or a
broken index could fail, and even then the caller gets empty results with a message (and
the log gets the traceback).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

import numpy as np
from django.db.models import TextField
from django.db.models.functions import Cast

from paperfeed.papers.arxiv import ArxivId
from paperfeed.papers.models import Paper

from . import acronyms, highlight, names, page_rows
from .hybrid import Candidate, Retrieval, retrieve, top_lists
from .language import other_language
from .lexical import STOPWORDS, Filters, LexicalIndex, analyze, day_number
from .query import ParsedQuery, normalize_sort, parse_date, parse_query
from .ranked import Ranked
from .reader import IndexDamaged, Snapshot, current
from .topics import RELEVANCE_BAND, TOP_N, Grouping, could_split, find_groups

logger = logging.getLogger("paperfeed.search")

MAX_LIMIT = 100
MAX_RESULTS = 300  # the longest list a query pages through (15 pages of 20); the lexical retriever goes this deep
# The dense retriever's depth: papers close in meaning without the words are the list's tail, and the
# quality sets measure fusion at this depth (SciFact test nDCG@10 0.7349 at 300/100, 0.7363 at 300/300;
# docs/search.md, Latency); 300 cost a first-time query ~2 ms of CPU more at 75k.
DENSE_DEPTH = 100
NO_MATCH_COSINE = 0.30  # dense results below this are noise, not answers
TAIL_BM25_SHARE = 0.33  # a word match below this share of the best BM25 must also be close in meaning
TAIL_COSINE_BAND = 0.15  # "close in meaning": within this of the 5th best cosine (and >= NO_MATCH_COSINE)
TAIL_REFERENCE_RANK = 5  # the 5th best cosine, not the best: a pasted abstract's own paper is an outlier
MAX_NAMED_WORDS = 5  # unmatched words named one by one; past that, counted
BROWSE_UPVOTED_CAP = 5000
PERSON_QUERY_PARTS = 4  # a query of at most this many name parts may be a person's name
SORTED_MIN_COSINE = 0.5  # newest/upvoted lists keep dense-only candidates only when this close
TYPE_SOMETHING = "Type some words, an arXiv id or a filter such as cat:cs.LG"
SEMANTIC_DOWN = "Semantic search is unavailable right now; showing keyword matches only."


@dataclass
class TopicGroup:
    key: str
    label: str
    size: int


@dataclass
class SearchHit:
    paper: Paper
    score: float
    title_html: str
    snippet_html: str


@dataclass
class SearchResults:
    query: str
    hits: list[SearchHit] = field(default_factory=list)
    total: int = 0
    groups: list[TopicGroup] = field(default_factory=list)
    redirect: Paper | None = None
    notes: list[str] = field(default_factory=list)  # for the reader, in the order the phases found them
    filters: dict = field(default_factory=dict)
    group: str | None = None  # the group applied, when one was
    sort: str = "relevance"
    degraded: bool = False  # the index is damaged: these are database word matches only

    @property
    def message(self) -> str:
        """The notes as one line, each said once ("" when there are none)."""
        return " ".join(dict.fromkeys(self.notes))


@dataclass(frozen=True)
class _Request:
    """What the parse phase made of the query and the parameters."""

    parsed: ParsedQuery
    order: str  # "relevance" | "newest" | "upvoted"
    limit: int
    offset: int
    group: str | None

    @property
    def filters(self) -> Filters:
        p = self.parsed
        return Filters(tuple(p.categories), tuple(p.authors), p.after, p.before)


def search(
    q: str | None,
    *,
    limit: int = 20,
    offset: int = 0,
    category: str | None = None,
    author: str | None = None,
    after: date | str | None = None,
    before: date | str | None = None,
    sort: str | None = "relevance",
    group: str | None = None,
) -> SearchResults:
    """Search papers. See the module docstring; never raises for bad input."""
    query = q if isinstance(q, str) else ("" if q is None else str(q))
    try:
        request, results = _parse(query, limit=limit, offset=offset, category=category, author=author,
                                  after=after, before=before, sort=sort, group=group)
        return _search(request, results)
    except Exception:
        logger.exception("search failed for %r", query[:200])
        return SearchResults(query=query, notes=["Search failed unexpectedly; please try again or simplify "
                                                 "your query."])


def _search(request: _Request, results: SearchResults) -> SearchResults:
    parsed = request.parsed
    if parsed.arxiv_id is not None:
        return _go_to_paper(parsed.arxiv_id, results)
    try:
        snapshot = current()
    except IndexDamaged as damage:
        logger.error("search index damaged, searching the database instead: %s", damage.reason)
        results.degraded = True
        return _database_fallback(request, results)
    if snapshot is None:
        return _database_fallback(request, results)
    results.notes += [f"No papers in category “{cat}” on this hub." for cat in parsed.categories
                      if not snapshot.lexical.doc_freq("cats", cat.lower())]
    if _is_person(snapshot.lexical, parsed):
        request = _as_author(request, results)
    if not parsed.text:
        return _browse(snapshot, request, results)
    candidates = _ranked(snapshot, request, results)
    candidates = _sort(snapshot, request.order, candidates)
    return _load(request, candidates, results)


def _ranked(snapshot: Snapshot, request: _Request, results: SearchResults) -> list[Candidate]:
    """retrieve -> gate -> account -> group, or their outcome for this query kept by the generation.

    A kept list is a function of the key alone (see :mod:`.ranked`), so page *k* of it is the
    same as computing it again; only papers hidden since then are dropped (one query).
    """
    parsed = request.parsed
    key = (tuple(parsed.words), tuple(parsed.phrases), request.filters, request.group)
    kept = snapshot.ranked.get(key)
    if kept is not None:
        results.notes += kept.notes
        results.groups, results.group = list(kept.groups), kept.group
        return _visible_only(snapshot, list(kept.candidates))
    before = len(results.notes)
    retrieval = _retrieve(snapshot, request, results)
    candidates = _gate(snapshot, retrieval, results)
    _account(snapshot.lexical, parsed, results)
    candidates = _group(snapshot, request, candidates, results)
    notes = tuple(results.notes[before:])
    if SEMANTIC_DOWN not in notes:  # a passing model failure must not be kept for the generation
        snapshot.ranked.put(key, Ranked(tuple(candidates), notes, tuple(results.groups), results.group))
    return candidates


# --------------------------------------------------------------------------- parse


def _parse(query: str, *, limit, offset, category, author, after, before, sort,
           group) -> tuple[_Request, SearchResults]:
    """The query language plus the explicit parameters (form fields, API parameters) as one request."""
    parsed = parse_query(query)
    notes = [*parsed.notes, *_merge_filters(parsed, category, author, after, before)]
    chosen_sort = normalize_sort(sort) if sort not in (None, "") else None
    if sort not in (None, "") and chosen_sort is None:
        notes.append(f"sort={str(sort)[:40]} is unknown (use relevance, newest or upvoted); sorted by relevance.")
    # An explicit choice wins over sort: in the query; the default "relevance" does not.
    order = chosen_sort if chosen_sort not in (None, "relevance") else (parsed.sort or chosen_sort or "relevance")
    request = _Request(parsed, order, _coerce_int(limit, 20, 1, MAX_LIMIT), _coerce_int(offset, 0, 0, MAX_RESULTS),
                       group)
    filters = {"category": ",".join(parsed.categories) or None, "author": "; ".join(parsed.authors) or None,
               "after": parsed.after, "before": parsed.before, "sort": order}
    return request, SearchResults(query=query, notes=notes, filters=filters, sort=order)


def _coerce_int(value, default: int, lo: int, hi: int) -> int:
    try:
        return max(lo, min(hi, int(value)))
    except (TypeError, ValueError):
        return default


def _merge_filters(parsed: ParsedQuery, category, author, after, before) -> list[str]:
    """Explicit parameters join the in-query operators; returns the notes about what was ignored."""
    notes: list[str] = []
    if category:
        for cat in str(category).replace(",", " ").split():
            sub = parse_query(f"cat:{cat}")
            parsed.categories.extend(sub.categories)
            notes.extend(sub.notes)
    if author and str(author).strip():
        parsed.authors.append(str(author).strip()[:200])
    for name in [a for a in parsed.authors if not names.is_name(a)]:
        notes.append(f"author “{name[:40]}” holds no name (use e.g. author:\"Yann LeCun\"); it was ignored.")
        parsed.authors.remove(name)
    for name, value in (("after", after), ("before", before)):
        if value in (None, ""):
            continue
        if isinstance(value, datetime):
            value = value.date()
        day = value if isinstance(value, date) else parse_date(str(value), end=name == "before")
        if day is None:
            notes.append(f"{name}={str(value)[:40]} is not a date (use YYYY-MM-DD); it was ignored.")
        else:
            setattr(parsed, name, day)
    parsed.categories = list(dict.fromkeys(c.strip() for c in parsed.categories))
    parsed.authors = list(dict.fromkeys(parsed.authors))
    return notes


def _go_to_paper(arxiv_id: ArxivId, results: SearchResults) -> SearchResults:
    """An arXiv id goes straight to its paper; notes about the rest of the query no longer apply."""
    paper = Paper.objects.visible().filter(arxiv_id=arxiv_id.id).first()
    if paper is None:
        results.notes = [f"arXiv:{arxiv_id.id} is not on this hub (yet). You can submit it, or open it on arxiv.org."]
        return results
    results.notes = []
    results.redirect = paper
    results.hits = [SearchHit(paper, 1.0, highlight.highlight_title(paper.title, frozenset()),
                              highlight.snippet(paper.abstract, frozenset()))]
    results.total = 1
    return results


# --------------------------------------------------------------------------- retrieve, gate


def _retrieve(snapshot: Snapshot, request: _Request, results: SearchResults) -> Retrieval:
    """Both retrievers, filters inside; keyword search alone when the model fails.

    The query vector is computed on the embedder's query thread while the lexical side runs
    (:meth:`.embedder.Embedder.encode_query_soon`); nothing else changes: the same vector, asked for
    once. An acronym query retrieves with its long forms too (:func:`.acronyms.widen`), which scores
    its own pool: its two lists go to it unscored, and its long forms are searched first, as they need
    no vector.
    """
    parsed = request.parsed
    query_vector = _pending_vector(parsed.text, results)
    found = acronyms.expansion(snapshot.acronyms, parsed.words)
    args = (snapshot.lexical, snapshot.vectors, parsed.words, parsed.phrases, query_vector, request.filters)
    # The same depth for every page: the list paged through depends on the query alone.
    if found is None:
        return retrieve(*args, depth=MAX_RESULTS, dense_depth=DENSE_DEPTH)
    wide = acronyms.long_form_hits(snapshot, found, request.filters, MAX_RESULTS)  # while the model reads
    lists = top_lists(*args, depth=MAX_RESULTS, dense_depth=DENSE_DEPTH)
    return acronyms.widen(snapshot, found, wide, lists)


def _pending_vector(text: str, results: SearchResults) -> Callable[[], np.ndarray | None]:
    """The query's vector, started now and read once: None (and a note) when the model fails."""
    try:
        from .embedder import Embedder

        pending = Embedder.default().encode_query_soon(text)
    except Exception:  # the model failing to load must not take keyword search down
        logger.exception("query embedding failed; keyword search only")
        results.notes.append(SEMANTIC_DOWN)
        return lambda: None

    @functools.cache
    def vector() -> np.ndarray | None:
        try:
            return pending.result()
        except Exception:  # the model failing must not take keyword search down
            logger.exception("query embedding failed; keyword search only")
            results.notes.append(SEMANTIC_DOWN)
            return None

    return vector


def _gate(snapshot: Snapshot, retrieval: Retrieval, results: SearchResults) -> list[Candidate]:
    """The strong candidates, at most :data:`MAX_RESULTS`; hidden or deleted papers never count."""
    candidates = _strong(retrieval.candidates)
    if retrieval.lexical_total == 0 and candidates:
        results.notes.append("No paper contains your words; showing papers close in meaning.")
    if len(candidates) > MAX_RESULTS:
        results.notes.append(f"Showing the best {MAX_RESULTS:,} matches; add words or filters to narrow them.")
        candidates = candidates[:MAX_RESULTS]
    return _visible_only(snapshot, candidates)


def _strong(candidates: list[Candidate]) -> list[Candidate]:
    """Cut the weak tail: keep a candidate that matches the words well or is close in meaning.

    Why both signals and not the fused score: the fused scale depends on the fusion method,
    while "a strong word match" (BM25 at least half the best one's) and "close in meaning"
    (a cosine within :data:`TAIL_COSINE_BAND` of the 5th best, and at least
    :data:`NO_MATCH_COSINE`) mean the same for every query. A surname or a rare word keeps
    its matches and stops, instead of being padded with the dense retriever's nearest
    neighbours of nothing in particular. The cut is measured in docs/search.md.
    """
    if not candidates:
        return candidates
    best_bm25 = max(c.bm25 for c in candidates)
    cosines = sorted((c.cosine for c in candidates), reverse=True)
    reference = cosines[min(TAIL_REFERENCE_RANK, len(cosines)) - 1]
    close = max(NO_MATCH_COSINE, reference - TAIL_COSINE_BAND)
    return [c for c in candidates
            if (c.bm25 > 0 and c.bm25 >= TAIL_BM25_SHARE * best_bm25) or c.cosine >= close]


def _visible_only(snapshot: Snapshot, candidates: list[Candidate]) -> list[Candidate]:
    """Drop papers hidden or deleted since the generation's sync (:mod:`.visible`: no query per candidate)."""
    visible = snapshot.visible.are_visible([c.pk for c in candidates])
    return [c for c, ok in zip(candidates, visible, strict=True) if ok]


# --------------------------------------------------------------------------- account, people


def _account(lexical: LexicalIndex, parsed: ParsedQuery, results: SearchResults) -> None:
    """Name every word no paper holds, or say the query is not in English (the model reads English)."""
    content = [w for w in dict.fromkeys(parsed.words) if _content_terms(w)]
    unmatched = [w for w in content if not _matched(lexical, w)]
    language = other_language(parsed.text, len(unmatched) / len(content)) if content else None
    if language is not None:
        results.notes.append(f"This hub's search model reads English, and your query looks {language}: only "
                             "papers using its words, or close to it in meaning, can show. Try English terms.")
    elif unmatched:
        named = ", ".join(f"“{w[:40]}”" for w in unmatched[:MAX_NAMED_WORDS])
        rest = len(unmatched) - MAX_NAMED_WORDS
        results.notes.append(f"No paper mentions {named}" + (f" or {rest} more of your words." if rest > 0 else "."))


def _content_terms(word: str) -> list[str]:
    return [t for t in analyze(word) if t not in STOPWORDS]


def _matched(lexical: LexicalIndex, word: str) -> bool:
    """Whether some paper holds ``word``: in a title or abstract, as a surname, or as a category."""
    if any(lexical.text_doc_freq(t) for t in _content_terms(word)):
        return True
    if any(lexical.doc_freq("author_keys", f"{part}|") for part in names.parts(word)):
        return True
    return bool(lexical.doc_freq("cats", word.lower()))


def _is_person(lexical: LexicalIndex, parsed: ParsedQuery) -> bool:
    """The whole query is a person's name: authors answer to it more often than texts hold it.

    "LeCun", "Song Han" and "Han, Song" are people; "transformers" or "Newton" (more papers
    mention Newton's method than have a Newton among their authors) are not.
    """
    if parsed.phrases or not parsed.words or len(parsed.words) > PERSON_QUERY_PARTS:
        return False
    text = " ".join(parsed.words)
    parts = names.parts(text)
    if not parts or len(parts) > PERSON_QUERY_PARTS or not all(p.isalpha() for p in parts):
        return False
    people = lexical.person_count(text)
    return people > 0 and people >= lexical.phrase_count(text)


def _as_author(request: _Request, results: SearchResults) -> _Request:
    """A name-only query becomes an author filter: that person's papers, newest first, and no filler."""
    parsed = request.parsed
    name = " ".join(parsed.words)
    parsed.authors.append(name)
    parsed.words = []
    results.filters["author"] = "; ".join(parsed.authors)
    results.notes.append(f"Papers by authors named “{name[:60]}”; add a topic word to search their text too.")
    return request


# --------------------------------------------------------------------------- group


def _group(snapshot: Snapshot, request: _Request, candidates: list[Candidate],
           results: SearchResults) -> list[Candidate]:
    """Fill ``results.groups``: by meaning for an acronym (:mod:`.acronyms`), else by topic when the
    results are ambiguous; keep only the chosen group's candidates."""
    meanings = acronyms.group_by_meaning(snapshot, request.parsed.words, candidates)
    if meanings is not None:
        results.notes += meanings.notes
        candidates, keys, labels, members = meanings.candidates, meanings.keys, meanings.labels, meanings.members
    else:
        head, vectors = _relevant_head(snapshot, candidates) if len(candidates) >= 2 else ([], {})
        head_vectors = np.vstack([vectors[c.pk] for c in head]) if head else None
        grouping = None
        if head_vectors is not None and could_split(head_vectors):  # the titles only when they can label
            titles = page_rows.titles([c.pk for c in head])
            grouping = find_groups(head_vectors, [titles.get(c.pk, "") for c in head],
                                   request.parsed.words + request.parsed.phrases)
        if grouping is None:
            if request.group:
                results.notes.append("These results are not split into topics any more; showing all of them.")
            return candidates
        keys, labels, members = grouping.keys, grouping.labels, _members(snapshot, grouping, candidates)
    results.groups = [TopicGroup(key, label, len(members[i]))
                      for i, (key, label) in enumerate(zip(keys, labels, strict=True))]
    if not request.group:
        return candidates
    if request.group in keys:
        results.group = request.group
        return members[keys.index(request.group)]
    results.notes.append("That topic group is not among these results; showing all of them.")
    return candidates


def _relevant_head(snapshot: Snapshot, candidates: list[Candidate]) -> tuple[list[Candidate], dict]:
    """The top results within ``RELEVANCE_BAND`` of the best cosine that have vectors, and those vectors.

    Why the head: on a small corpus a focused query has only a few truly relevant papers and
    the rest of its top results is loosely related filler that would always "split".
    Clustering only the results near the best cosine measures the query, not the filler.
    """
    top = candidates[:TOP_N]
    floor = max(c.cosine for c in top) - RELEVANCE_BAND
    top = [c for c in top if c.cosine >= floor]
    vectors = snapshot.vectors.vectors_for([c.pk for c in top])
    return [c for c in top if c.pk in vectors], vectors


def _members(snapshot: Snapshot, grouping: Grouping, candidates: list[Candidate]) -> dict[int, list[Candidate]]:
    """Every candidate with a vector joins its nearest group, in ranking order (one gather of their rows)."""
    members: dict[int, list[Candidate]] = {i: [] for i in range(len(grouping.keys))}
    rows, found = snapshot.vectors.rows_for([c.pk for c in candidates])
    if found.any():
        block = np.asarray(snapshot.vectors.matrix[rows[found]], dtype=np.float32)
        with_vectors = [c for c, ok in zip(candidates, found.tolist(), strict=True) if ok]
        for c, g in zip(with_vectors, grouping.assign(block).tolist(), strict=True):
            members[g].append(c)
    return members


# --------------------------------------------------------------------------- sort, load


def _sort(snapshot: Snapshot, order: str, candidates: list[Candidate]) -> list[Candidate]:
    """Fused relevance as it comes; newest or most upvoted first on request."""
    if order == "relevance":
        return candidates
    # Sorted lists hold matches only: word matches, or papers very close in meaning.
    candidates = [c for c in candidates if c.bm25 > 0 or c.cosine >= SORTED_MIN_COSINE] or candidates
    if order == "newest":
        days = _days(snapshot, [c.pk for c in candidates])
        return sorted(candidates, key=lambda c: -days.get(c.pk, 0))
    if order == "upvoted":
        votes = _upvotes([c.pk for c in candidates])
        return sorted(candidates, key=lambda c: -votes.get(c.pk, 0))
    return candidates


def _days(snapshot: Snapshot, pks: list[int]) -> dict[int, int]:
    rows, found = snapshot.vectors.rows_for(pks)
    days = snapshot.vectors.days[rows].tolist()
    return {pk: day for pk, day, ok in zip(pks, days, found.tolist(), strict=True) if ok}


def _upvotes(pks: list[int]) -> dict[int, int]:
    return dict(Paper.objects.filter(pk__in=pks).with_score().values_list("pk", "score"))


def _load(request: _Request, candidates: list[Candidate], results: SearchResults) -> SearchResults:
    """One page of visible papers, highlighted."""
    results.total = len(candidates)
    page = candidates[request.offset : request.offset + request.limit]
    papers = page_rows.visible_papers([c.pk for c in page])
    terms = highlight.query_terms(request.parsed.words, request.parsed.phrases)
    results.hits = [
        SearchHit(papers[c.pk], round(c.score, 6), highlight.highlight_title(papers[c.pk].title, terms),
                  highlight.snippet(papers[c.pk].abstract, terms))
        for c in page if c.pk in papers
    ]
    if not results.hits:
        results.notes.append(_nothing_found(request))
    return results


# --------------------------------------------------------------------------- without words, without an index


def _browse(snapshot: Snapshot, request: _Request, results: SearchResults) -> SearchResults:
    """Filters without words: every matching paper, newest (or most upvoted) first."""
    filters = request.filters
    if not filters:
        results.notes.append(f"{TYPE_SOMETHING} or author:\"Yann LeCun\" to search.")
        return results
    filt_q = snapshot.lexical.filter_query(filters)
    if filt_q is None:  # every filter was refused (with a note)
        results.notes.append(f"{TYPE_SOMETHING} to search.")
        return results
    matched = snapshot.lexical.search(filt_q, 1)[1]
    results.total = min(matched, MAX_RESULTS)
    if matched > MAX_RESULTS:
        results.notes.append(f"Showing the first {MAX_RESULTS:,} of {matched:,} papers; add words or filters "
                             "to narrow them.")
    offset = request.offset
    limit = min(request.limit, results.total - offset)  # the list ends at the total, on every page
    ordered: list[Paper] = []
    if limit > 0 and request.order == "upvoted":
        pks = snapshot.lexical.matching_pks(filt_q)
        pks = pks[-BROWSE_UPVOTED_CAP:] if len(pks) > BROWSE_UPVOTED_CAP else pks
        ordered = list(Paper.objects.visible().filter(pk__in=pks)
                       .with_score().order_by("-score", "-announced", "-pk")[offset : offset + limit])
    elif limit > 0:
        pks, _ = snapshot.lexical.newest(filt_q, limit, offset)
        found = page_rows.visible_papers(pks)
        ordered = [found[pk] for pk in pks if pk in found]
    results.hits = [SearchHit(p, 0.0, highlight.highlight_title(p.title, frozenset()),
                              highlight.snippet(p.abstract, frozenset())) for p in ordered]
    if not results.hits:
        results.notes.append(_nothing_found(request))
    return results


def _database_fallback(request: _Request, results: SearchResults) -> SearchResults:
    """No index built yet, or a damaged one (``degraded``): word matches straight from the database."""
    parsed = request.parsed
    qs = Paper.objects.visible()
    for cat in parsed.categories:
        qs = qs.in_category(cat)
    if parsed.after:
        qs = qs.filter(announced__gte=parsed.after)
    if parsed.before:
        qs = qs.filter(announced__lte=parsed.before)
    if parsed.authors:
        # Without the index's name keys: every name part somewhere in the author list (looser).
        qs = qs.annotate(author_text=Cast("authors", TextField()))
        for part in {p for name in parsed.authors for p in name.replace(",", " ").split()}:
            qs = qs.filter(author_text__icontains=part)
    words = [w for w in [*parsed.words, *parsed.phrases] if len(w) > 1][:8]
    if not words and not parsed.has_filters:
        results.notes = [f"{TYPE_SOMETHING} to search."]
        return results
    for word in words:
        qs = qs.filter(title__icontains=word) | qs.filter(abstract__icontains=word)
    results.total = min(qs.count(), MAX_RESULTS)
    terms = highlight.query_terms(parsed.words, parsed.phrases)
    page = qs.order_by("-announced", "-pk")[request.offset : min(request.offset + request.limit, results.total)]
    results.hits = [SearchHit(p, 0.0, highlight.highlight_title(p.title, terms), highlight.snippet(p.abstract, terms))
                    for p in page] if request.offset < results.total else []
    if results.degraded:
        results.notes.append("Search is running in a reduced mode while its index is repaired: these are papers "
                             "containing your words, newest first, without ranking by meaning.")
    else:
        results.notes.append("The search index is not built yet, so only exact word matches are shown "
                             "(run `paperfeed index`).")
    return results


def _nothing_found(request: _Request) -> str:
    if request.offset:
        return "No more results."
    if request.parsed.has_filters:
        return "No papers match your words with these filters; try removing a filter."
    return "No papers match your search; try other or fewer words."


__all__ = ["search", "SearchResults", "SearchHit", "TopicGroup", "day_number"]
