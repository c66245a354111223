"""The search service every caller uses: the search page, the JSON API, feeds, digests.

``search(q, …)`` parses the query language (:mod:`.query`), sends arXiv ids straight to
their paper, runs both retrievers with the filters inside them and fuses them
(:mod:`.hybrid`), finds topic groups for ambiguous queries (:mod:`.topics`), sorts, pages,
loads the papers from the database (only visible ones: a paper hidden since the last sync
never shows) and highlights matches (:mod:`.highlight`).

It never raises for anything a person can type or an API client can send: problems become
``SearchResults.message``. Only a bug or a broken index could fail, and even then the
caller gets empty results with a message (and the log gets the traceback).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime

import numpy as np
from django.db.models import F

from paperfeed.papers.models import Paper

from . import highlight
from .hybrid import Candidate, retrieve
from .lexical import Filters, day_number
from .query import ParsedQuery, normalize_sort, parse_date, parse_query
from .reader import Snapshot, current
from .topics import RELEVANCE_BAND, TOP_N, find_groups

logger = logging.getLogger("paperfeed.search")

MAX_LIMIT = 100
MAX_OFFSET = 1000
MIN_DEPTH = 100
NO_MATCH_COSINE = 0.30  # with no word match, dense results below this are noise, not answers
BROWSE_UPVOTED_CAP = 5000
SORTED_MIN_COSINE = 0.5  # newest/upvoted lists keep dense-only candidates only when this close


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
    message: str = ""
    filters: dict = field(default_factory=dict)
    group: str | None = None  # the group applied, when one was
    sort: str = "relevance"


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
        return _search(query, limit=limit, offset=offset, category=category, author=author, after=after,
                       before=before, sort=sort, group=group)
    except Exception:
        logger.exception("search failed for %r", query[:200])
        return SearchResults(query=query, message="Search failed unexpectedly; please try again or simplify "
                                                 "your query.")


def _coerce_int(value, default: int, lo: int, hi: int) -> int:
    try:
        return max(lo, min(hi, int(value)))
    except (TypeError, ValueError):
        return default


def _merge_filters(parsed: ParsedQuery, category, author, after, before) -> None:
    """Explicit parameters (form fields, API parameters) join the in-query operators."""
    if category:
        for cat in str(category).replace(",", " ").split():
            sub = parse_query(f"cat:{cat}")
            parsed.categories.extend(sub.categories)
            parsed.notes.extend(sub.notes)
    if author and str(author).strip():
        parsed.authors.append(str(author).strip()[:200])
    for name, value in (("after", after), ("before", before)):
        if value in (None, ""):
            continue
        if isinstance(value, datetime):
            value = value.date()
        day = value if isinstance(value, date) else parse_date(str(value), end=name == "before")
        if day is None:
            parsed.notes.append(f"{name}={str(value)[:40]} is not a date (use YYYY-MM-DD); it was ignored.")
        else:
            setattr(parsed, name, day)
    parsed.categories = list(dict.fromkeys(c.strip() for c in parsed.categories))
    parsed.authors = list(dict.fromkeys(parsed.authors))


def _search(query: str, *, limit, offset, category, author, after, before, sort, group) -> SearchResults:
    limit = _coerce_int(limit, 20, 1, MAX_LIMIT)
    offset = _coerce_int(offset, 0, 0, MAX_OFFSET)
    parsed = parse_query(query)
    _merge_filters(parsed, category, author, after, before)
    chosen_sort = normalize_sort(sort) if sort not in (None, "") else None
    if sort not in (None, "") and chosen_sort is None:
        parsed.notes.append(f"sort={str(sort)[:40]} is unknown (use relevance, newest or upvoted); "
                            "sorted by relevance.")
    # An explicit choice wins over sort: in the query; the default "relevance" does not.
    order = chosen_sort if chosen_sort not in (None, "relevance") else (parsed.sort or chosen_sort or "relevance")
    filters = {"category": ",".join(parsed.categories) or None, "author": "; ".join(parsed.authors) or None,
               "after": parsed.after, "before": parsed.before, "sort": order}
    results = SearchResults(query=query, filters=filters, sort=order)

    if parsed.arxiv_id is not None:
        paper = Paper.objects.visible().filter(arxiv_id=parsed.arxiv_id.id).first()
        if paper is None:
            results.message = (f"arXiv:{parsed.arxiv_id.id} is not on this hub (yet). "
                               f"You can submit it, or open it on arxiv.org.")
            return results
        results.redirect = paper
        results.hits = [SearchHit(paper, 1.0, highlight.highlight_title(paper.title, frozenset()),
                                  highlight.snippet(paper.abstract, frozenset()))]
        results.total = 1
        return results

    snapshot = current()
    if snapshot is None:
        return _database_fallback(parsed, results, limit, offset)
    search_filters = Filters(tuple(parsed.categories), tuple(parsed.authors), parsed.after, parsed.before)
    for cat in parsed.categories:
        if not snapshot.lexical.doc_freq("cats", cat.lower()):
            parsed.notes.append(f"No papers in category “{cat}” on this hub.")
    if not parsed.text:
        return _browse(snapshot, parsed, search_filters, results, limit, offset, order)

    qvec = None
    try:
        from .embedder import Embedder

        qvec = Embedder.default().encode_query(parsed.text)
    except Exception:  # the model failing must not take keyword search down
        logger.exception("query embedding failed; keyword search only")
        parsed.notes.append("Semantic search is unavailable right now; showing keyword matches only.")
    depth = max(MIN_DEPTH, offset + limit)
    retrieval = retrieve(snapshot.lexical, snapshot.vectors, parsed.words, parsed.phrases, qvec, search_filters,
                         depth=depth)
    candidates = retrieval.candidates
    if retrieval.lexical_total == 0 and candidates:
        if max(c.cosine for c in candidates) < NO_MATCH_COSINE:
            candidates = []
        else:
            parsed.notes.append("No paper contains all of your words; showing papers close in meaning.")
    candidates = _visible_only(candidates)

    if len(candidates) >= 2:
        members = _apply_groups(snapshot, parsed, candidates, results, group)
        if members is not None:
            candidates = members
    if order != "relevance":
        # Sorted lists hold matches only: word matches, or papers very close in meaning.
        candidates = [c for c in candidates if c.bm25 > 0 or c.cosine >= SORTED_MIN_COSINE] or candidates
    if order == "newest":
        days = _days(snapshot, [c.pk for c in candidates])
        candidates = sorted(candidates, key=lambda c: -days.get(c.pk, 0))
    elif order == "upvoted":
        votes = _upvotes([c.pk for c in candidates])
        candidates = sorted(candidates, key=lambda c: -votes.get(c.pk, 0))

    results.total = len(candidates)
    page = candidates[offset : offset + limit]
    papers = Paper.objects.visible().in_bulk([c.pk for c in page])
    terms = highlight.query_terms(parsed.words, parsed.phrases)
    results.hits = [
        SearchHit(papers[c.pk], round(c.score, 6), highlight.highlight_title(papers[c.pk].title, terms),
                  highlight.snippet(papers[c.pk].abstract, terms))
        for c in page if c.pk in papers
    ]
    if not results.hits:
        parsed.notes.append(_nothing_found(parsed, offset))
    results.message = " ".join(dict.fromkeys(parsed.notes))
    return results


def _visible_only(candidates: list[Candidate]) -> list[Candidate]:
    """Drop papers hidden or deleted since the last index sync (one cheap query)."""
    if not candidates:
        return candidates
    hidden = set(Paper.objects.filter(pk__in=[c.pk for c in candidates], hidden=True).values_list("pk", flat=True))
    existing = set(Paper.objects.filter(pk__in=[c.pk for c in candidates]).values_list("pk", flat=True))
    return [c for c in candidates if c.pk in existing and c.pk not in hidden]


def _apply_groups(snapshot: Snapshot, parsed: ParsedQuery, candidates: list[Candidate], results: SearchResults,
                  group: str | None) -> list[Candidate] | None:
    """Fill ``results.groups``; return the chosen group's candidates when ``group`` names one."""
    top = candidates[:TOP_N]
    top = [c for c in top if c.cosine >= max(c.cosine for c in top) - RELEVANCE_BAND]
    vectors = snapshot.vectors.vectors_for([c.pk for c in top])
    top = [c for c in top if c.pk in vectors]
    if not top:
        return None
    titles = dict(Paper.objects.filter(pk__in=[c.pk for c in top]).values_list("pk", "title"))
    grouping = find_groups(np.vstack([vectors[c.pk] for c in top]), [titles.get(c.pk, "") for c in top],
                           parsed.words + parsed.phrases)
    if grouping is None:
        if group:
            parsed.notes.append("These results are not split into topics any more; showing all of them.")
        return None
    all_vectors = snapshot.vectors.vectors_for([c.pk for c in candidates])
    members: dict[int, list[Candidate]] = {i: [] for i in range(len(grouping.keys))}
    with_vectors = [c for c in candidates if c.pk in all_vectors]
    if with_vectors:
        assigned = grouping.assign(np.vstack([all_vectors[c.pk] for c in with_vectors]))
        for c, g in zip(with_vectors, assigned, strict=True):
            members[int(g)].append(c)
    results.groups = [TopicGroup(key, label, len(members[i]))
                      for i, (key, label) in enumerate(zip(grouping.keys, grouping.labels, strict=True))]
    if group:
        if group in grouping.keys:
            results.group = group
            return members[grouping.keys.index(group)]
        parsed.notes.append("That topic group is not among these results; showing all of them.")
    return None


def _days(snapshot: Snapshot, pks: list[int]) -> dict[int, int]:
    rows, found = snapshot.vectors.rows_for(pks)
    return {pk: int(snapshot.vectors.days[r]) for pk, r, ok in zip(pks, rows, found, strict=True) if ok}


def _upvotes(pks: list[int]) -> dict[int, int]:
    return dict(Paper.objects.filter(pk__in=pks).annotate(v=F("imported_upvotes") + F("local_upvotes"))
                .values_list("pk", "v"))


def _browse(snapshot: Snapshot, parsed: ParsedQuery, filters: Filters, results: SearchResults, limit: int,
            offset: int, order: str) -> SearchResults:
    """Filters without words: every matching paper, newest (or most upvoted) first."""
    if not filters:
        results.message = " ".join([*parsed.notes, "Type some words, an arXiv id or a filter such as "
                                    "cat:cs.LG or author:\"Yann LeCun\" to search."]).strip()
        return results
    filt_q = snapshot.lexical.filter_query(filters)
    if order == "upvoted":
        pks = snapshot.lexical.matching_pks(filt_q)
        results.total = len(pks)
        pks = pks[-BROWSE_UPVOTED_CAP:] if len(pks) > BROWSE_UPVOTED_CAP else pks
        ordered = list(Paper.objects.visible().filter(pk__in=pks)
                       .annotate(v=F("imported_upvotes") + F("local_upvotes"))
                       .order_by("-v", "-announced", "-pk")[offset : offset + limit])
    else:
        pks, results.total = snapshot.lexical.newest(filt_q, limit, offset)
        found = Paper.objects.visible().in_bulk(pks)
        ordered = [found[pk] for pk in pks if pk in found]
    results.hits = [SearchHit(p, 0.0, highlight.highlight_title(p.title, frozenset()),
                              highlight.snippet(p.abstract, frozenset())) for p in ordered]
    if not results.hits:
        parsed.notes.append(_nothing_found(parsed, offset))
    results.message = " ".join(dict.fromkeys(parsed.notes))
    return results


def _database_fallback(parsed: ParsedQuery, results: SearchResults, limit: int, offset: int) -> SearchResults:
    """No index built yet: title/abstract word matches straight from the database."""
    qs = Paper.objects.visible()
    for cat in parsed.categories:
        qs = qs.in_category(cat)
    if parsed.after:
        qs = qs.filter(announced__gte=parsed.after)
    if parsed.before:
        qs = qs.filter(announced__lte=parsed.before)
    words = [w for w in [*parsed.words, *parsed.phrases] if len(w) > 1][:8]
    if not words and not (parsed.categories or parsed.after or parsed.before):
        results.message = "Type some words, an arXiv id or a filter such as cat:cs.LG to search."
        return results
    for word in words:
        qs = qs.filter(title__icontains=word) | qs.filter(abstract__icontains=word)
    results.total = qs.count()
    terms = highlight.query_terms(parsed.words, parsed.phrases)
    results.hits = [SearchHit(p, 0.0, highlight.highlight_title(p.title, terms), highlight.snippet(p.abstract, terms))
                    for p in qs.order_by("-announced", "-pk")[offset : offset + limit]]
    parsed.notes.append("The search index is not built yet, so only exact word matches are shown "
                        "(run `paperfeed index`).")
    results.message = " ".join(dict.fromkeys(parsed.notes))
    return results


def _nothing_found(parsed: ParsedQuery, offset: int) -> str:
    if offset:
        return "No more results."
    if parsed.has_filters:
        return "No papers match your words with these filters; try removing a filter."
    return "No papers match your search; try other or fewer words."


__all__ = ["search", "SearchResults", "SearchHit", "TopicGroup", "day_number"]
