"""Fusing BM25 and dense candidates into one ranking.

Both retrievers get the same filters and return their top ``depth`` candidates; the union
is then scored with *both* signals (the dense cosine of a lexical-only candidate is one dot
product away, so it is computed exactly rather than guessed) and fused.

Why per-query normalisation and an untuned 0.5: BM25 scores have no fixed scale (they grow
with query length and the collection's idf), cosines sit in a narrow band that differs per
model, so any fixed weight between the raw numbers is a fit to one collection. Normalising
each retriever's scores over the query's own candidates puts both on one scale; an equal
weight then needs nothing learned. Earlier weights fitted to SciFact *train* (0.3 x BM25/max +
0.7 x cosine) lost to an untuned linear fusion on a held-out collection from another field.

Measured with ``benchmarks/search_quality.py`` (SciFact test and the arXiv known-item set of
``benchmarks/known_item.py``, every method side by side; the table is in docs/search.md):
z-score fusion is the default; min-max, RRF (k=60), the untuned linear fusion and the old
fitted weights stay selectable as ``FusionParams(method=...)`` for that comparison.

Every candidate is scored by both signals: the exact cosine of a lexical-only candidate,
the exact BM25 of a dense-only one (one restricted tantivy query; 0 when it holds no query
word). Only where a signal cannot be computed (no vector) does a candidate get the lowest
score that retriever gave, so it is never rewarded for being missing. A ranking is
invariant to scaling or shifting either retriever's scores (z-score, min-max, RRF).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import repeat

import numpy as np
import tantivy

from .lexical import DEFAULT_PARAMS, Filters, LexicalIndex, LexicalParams, day_number
from .vectors import VectorSet

METHODS = ("zscore", "minmax", "rrf", "linear")
QueryVector = np.ndarray | Callable[[], np.ndarray | None] | None  # a callable: asked once the lexical side ran


@dataclass(frozen=True)
class FusionParams:
    """How two candidate lists become one.

    ``zscore`` / ``minmax``: each retriever's scores normalised over the candidates, then
    ``w * lexical + (1 - w) * dense``. ``rrf``: reciprocal rank fusion, ``sum 1 / (k + rank)``.
    ``linear``: ``w * BM25 / best BM25 + (1 - w) * raw cosine`` (the raw-score baseline).
    """

    method: str = "zscore"
    lexical_weight: float = 0.5
    depth: int = 100  # candidates taken from each retriever
    rrf_k: int = 60


DEFAULT_FUSION = FusionParams()


@dataclass(slots=True)  # hundreds are made per first-time query: slots make them cheaper to build and read
class Candidate:
    pk: int
    score: float
    bm25: float
    cosine: float


@dataclass
class Retrieval:
    candidates: list[Candidate]  # best first
    lexical_total: int  # documents the lexical query matched (with filters), counted up to the depth
    filtered_empty: bool = False  # the filters allow no document at all


@dataclass
class Pool:
    """Both retrievers' candidates for one query, each scored by both signals where it has them."""

    lexical: list[tuple[int, float]]  # the lexical top list (pk, BM25), best first
    dense: list[tuple[int, float]]  # the dense top list (pk, cosine), best first
    bm25: dict[int, float] = field(default_factory=dict)  # exact BM25 of every candidate the text query matches
    cosine: dict[int, float] = field(default_factory=dict)  # exact cosine of every candidate with a vector
    lexical_total: int = 0  # documents the lexical query matched (with filters), counted up to the depth
    filtered_empty: bool = False  # the filters allow no document at all

    @property
    def pks(self) -> list[int]:
        return list(dict.fromkeys([pk for pk, _ in self.lexical] + [pk for pk, _ in self.dense]))


def dense_mask(vectors: VectorSet, lexical: LexicalIndex, filters: Filters) -> np.ndarray | None:
    """The filters as a row mask for the dense side (authors go through the lexical index)."""
    if not filters:
        return None
    author_pks = None
    if filters.authors:
        only_authors = lexical.filter_query(Filters(authors=filters.authors))
        author_pks = lexical.matching_pks(only_authors) if only_authors is not None else None
    return vectors.mask(categories=filters.categories, after=day_number(filters.after),
                        before=day_number(filters.before), pks=author_pks)


def retrieve(
    lexical: LexicalIndex,
    vectors: VectorSet | None,
    words: list[str],
    phrases: list[str],
    query_vector: QueryVector,
    filters: Filters = Filters(),
    *,
    lexical_params: LexicalParams = DEFAULT_PARAMS,
    fusion: FusionParams = DEFAULT_FUSION,
    depth: int | None = None,
    dense_depth: int | None = None,
) -> Retrieval:
    """Run both retrievers with ``filters`` and fuse. ``query_vector`` None = lexical only; a callable
    is asked for it once the lexical side has run (a vector still being computed on another thread)."""
    pool = gather(lexical, vectors, words, phrases, query_vector, filters, lexical_params=lexical_params,
                  depth=depth or fusion.depth, dense_depth=dense_depth)
    return Retrieval(fuse(pool, fusion), pool.lexical_total, pool.filtered_empty)


def gather(
    lexical: LexicalIndex,
    vectors: VectorSet | None,
    words: list[str],
    phrases: list[str],
    query_vector: QueryVector,
    filters: Filters = Filters(),
    *,
    lexical_params: LexicalParams = DEFAULT_PARAMS,
    depth: int = DEFAULT_FUSION.depth,
    dense_depth: int | None = None,
) -> Pool:
    """Both retrievers' top ``depth`` with ``filters`` inside, every candidate scored by both.

    ``dense_depth`` (default ``depth``): the dense retriever's own depth, when it differs.
    """
    lists = top_lists(lexical, vectors, words, phrases, query_vector, filters, lexical_params=lexical_params,
                      depth=depth, dense_depth=dense_depth)
    pool = scored_pool(lists.lexical, lists.dense, lexical, lists.text_query, vectors, lists.query_vector)
    pool.lexical_total, pool.filtered_empty = lists.lexical_total, lists.filtered_empty
    return pool


@dataclass
class TopLists:
    """Each retriever's own top list, nothing scored across: what :func:`gather` scores, and what an
    acronym query's :func:`.acronyms.widen` takes as it is (it scores its own, larger pool)."""

    lexical: list[tuple[int, float]]  # (pk, BM25), best first
    dense: list[tuple[int, float]]  # (pk, cosine), best first
    lexical_total: int  # documents the lexical query matched (with filters), counted up to the depth
    filtered_empty: bool  # the filters allow no document at all
    text_query: tantivy.Query | None
    query_vector: np.ndarray | None  # None: none asked for, or the model failed

    @property
    def pks(self) -> list[int]:
        return list(dict.fromkeys([pk for pk, _ in self.lexical] + [pk for pk, _ in self.dense]))


def top_lists(
    lexical: LexicalIndex,
    vectors: VectorSet | None,
    words: list[str],
    phrases: list[str],
    query_vector: QueryVector,
    filters: Filters = Filters(),
    *,
    lexical_params: LexicalParams = DEFAULT_PARAMS,
    depth: int = DEFAULT_FUSION.depth,
    dense_depth: int | None = None,
) -> TopLists:
    """Both retrievers' top lists with ``filters`` inside.

    The lexical side runs first and a callable ``query_vector`` is called only after it, so a
    vector computed on another thread (:meth:`.embedder.Embedder.encode_query_soon`) is computed
    while tantivy searches.
    """
    text_q = lexical.text_query(words, phrases, lexical_params)
    filt_q = lexical.filter_query(filters)
    lex_hits: list[tuple[int, float]] = []
    lex_total = 0
    if text_q is not None:
        # Only whether any document matched is read: the top list alone is much cheaper than a count.
        lex_hits, lex_total = lexical.search(LexicalIndex.combine(text_q, filt_q), depth, count=False)
    dense_hits: list[tuple[int, float]] = []
    mask = None
    if query_vector is not None and vectors is not None and len(vectors):
        mask = _allowed_rows(lexical, vectors, filters, phrases, filt_q, lexical_params)
        query_vector = query_vector() if callable(query_vector) else query_vector
        if query_vector is None:  # the model failed: lexical only, as if none had been asked for
            mask = None
        elif mask is None or mask.any():
            dense_hits = vectors.search(query_vector, dense_depth or depth, mask)
    query_vector = None if callable(query_vector) else query_vector
    return TopLists(lex_hits, dense_hits, lex_total, mask is not None and not mask.any() and not lex_hits,
                    text_q, query_vector)


def _allowed_rows(lexical: LexicalIndex, vectors: VectorSet, filters: Filters, phrases: list[str],
                  filt_q: tantivy.Query | None, lexical_params: LexicalParams) -> np.ndarray | None:
    """The dense side's row mask: the filters, and a quoted phrase as a hard requirement (None: every row)."""
    mask = dense_mask(vectors, lexical, filters)
    if phrases:
        phrase_q = lexical.text_query([], phrases, lexical_params)
        if phrase_q is not None:
            allowed = lexical.matching_pks(LexicalIndex.combine(phrase_q, filt_q))
            mask = vectors.mask(pks=allowed) if mask is None else mask & vectors.mask(pks=allowed)
    return mask


def scored_pool(lex_hits: list[tuple[int, float]], dense_hits: list[tuple[int, float]], lexical: LexicalIndex | None,
                text_query: tantivy.Query | None, vectors: VectorSet | None,
                query_vector: np.ndarray | None,
                bm25_of: Callable[[list[int]], dict[int, float]] | None = None) -> Pool:
    """The two lists plus the exact BM25 of dense-only candidates and the exact cosine of lexical-only ones.

    Why exact: a dense-only candidate's BM25 is not zero, only below the lexical list's cut
    (it often shares a word or two); scoring it for real keeps the normalised scales honest.
    ``bm25_of`` gives those scores where the caller has a cheaper exact way than a search of
    ``text_query`` restricted to them (acronym queries: :mod:`.kept_scores`).
    """
    pool = Pool(lex_hits, dense_hits, dict(lex_hits), dict(dense_hits))
    pks = pool.pks
    no_bm25 = [pk for pk in pks if pk not in pool.bm25]
    if no_bm25 and (bm25_of is not None or (lexical is not None and text_query is not None)):
        pool.bm25.update(bm25_of(no_bm25) if bm25_of is not None else lexical.search_among(text_query, no_bm25))
        pool.bm25.update((pk, 0.0) for pk in no_bm25 if pk not in pool.bm25)  # no query word at all
    no_cosine = [pk for pk in pks if pk not in pool.cosine]
    if no_cosine and vectors is not None and query_vector is not None:
        for pk, s in zip(no_cosine, vectors.scores_for(query_vector, no_cosine), strict=True):
            if s > -1.0:
                pool.cosine[pk] = float(s)
    return pool


def fuse(pool: Pool, fusion: FusionParams = DEFAULT_FUSION) -> list[Candidate]:
    """One ranking from a pool, best first (see the module docstring)."""
    pks = pool.pks
    if not pks:
        return []
    b = np.fromiter(map(pool.bm25.get, pks, repeat(np.nan)), dtype=np.float64, count=len(pks))
    c = np.fromiter(map(pool.cosine.get, pks, repeat(np.nan)), dtype=np.float64, count=len(pks))
    ranks = {"lex_rank": _ranks(pool.lexical, pks), "dense_rank": _ranks(pool.dense, pks)} if fusion.method == "rrf" else {}
    fused = fuse_scores(b, c, fusion, **ranks)
    order = np.argsort(-fused, kind="stable")
    b, c = np.nan_to_num(b, nan=0.0), fill_missing(c)
    # Plain floats in one pass per array: a list is up to two thousand candidates per query.
    return [Candidate(pks[i], f, bm25, cos) for i, f, bm25, cos
            in zip(order.tolist(), fused[order].tolist(), b[order].tolist(), c[order].tolist(), strict=True)]


def fuse_scores(lexical: np.ndarray, dense: np.ndarray, fusion: FusionParams = DEFAULT_FUSION, *,
                lex_rank: np.ndarray | None = None, dense_rank: np.ndarray | None = None) -> np.ndarray:
    """Fused scores of candidates from their two score arrays (NaN: that retriever has no score).

    Ranks (0-based, NaN where absent) are only read by ``rrf``; by default they follow the scores.
    """
    has_lex, has_dense = ~np.isnan(lexical), ~np.isnan(dense)
    if fusion.method == "rrf":
        lex_rank = _rank_of(lexical) if lex_rank is None else lex_rank
        dense_rank = _rank_of(dense) if dense_rank is None else dense_rank
        return sum(np.where(np.isnan(r), 0.0, 1.0 / (fusion.rrf_k + 1 + np.nan_to_num(r)))
                   for r in (lex_rank, dense_rank))
    if fusion.method not in METHODS:
        raise ValueError(f"unknown fusion method {fusion.method!r} (one of {', '.join(METHODS)})")
    if not has_dense.any():
        return normalise(lexical, fusion.method if fusion.method != "linear" else "max")
    if not has_lex.any():
        return normalise(dense, fusion.method if fusion.method != "linear" else "raw")
    if fusion.method == "linear":
        lex_n, dense_n = normalise(lexical, "max"), normalise(dense, "raw")
    else:
        lex_n, dense_n = normalise(lexical, fusion.method), normalise(dense, fusion.method)
    return fusion.lexical_weight * lex_n + (1.0 - fusion.lexical_weight) * dense_n


def _ranks(hits: list[tuple[int, float]], pks: list[int]) -> np.ndarray:
    rank = {pk: r for r, (pk, _) in enumerate(hits)}
    return np.array([rank.get(pk, np.nan) for pk in pks], dtype=np.float64)


def _rank_of(scores: np.ndarray) -> np.ndarray:
    """0-based rank by descending score; NaN stays NaN."""
    out = np.full(len(scores), np.nan)
    present = np.flatnonzero(~np.isnan(scores))
    out[present[np.argsort(-scores[present], kind="stable")]] = np.arange(len(present))
    return out


def fill_missing(x: np.ndarray) -> np.ndarray:
    """NaN (not returned by that retriever) becomes the lowest returned score (0 when none was)."""
    present = ~np.isnan(x)
    return np.where(present, x, x[present].min() if present.any() else 0.0)


def normalise(x: np.ndarray, how: str) -> np.ndarray:
    """Per-query normalisation of one retriever's scores; missing scores count as its lowest."""
    x = fill_missing(x)
    if how == "raw":
        return x
    if how == "max":
        top = float(x.max())
        return x / top if top > 0 else np.zeros_like(x)
    spread = float(x.std()) if how == "zscore" else float(x.max() - x.min())
    if spread < 1e-12:
        return np.zeros_like(x)
    return (x - (x.mean() if how == "zscore" else x.min())) / spread
