"""Fusing BM25 and dense candidates into one ranking.

Both retrievers get the same filters and return their top ``depth`` candidates; the union
is then scored with *both* signals (the dense cosine of a lexical-only candidate is one dot
product away, so it is computed exactly rather than guessed) and fused.

Why normalised-score linear fusion and not RRF: on SciFact the scores carry information
that ranks throw away (a BM25 outlier is a strong signal; RRF treats rank 1 and 2 of a flat
list the same). The weight and normalisation below were chosen on SciFact *train* only
(``python benchmarks/search_quality.py --tune``); the test split is reported, never tuned
on. RRF stays available for comparison (``FusionParams(method="rrf")``).

Chosen on train (680 grid points): BM25 / best BM25, raw cosine, weight 0.30 -> train
0.737. z-score or idf-scaled BM25 reached 0.738 on train but not more on test; vector
pseudo-relevance feedback added 0.0005 on train, so it is off (kept as a parameter).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .lexical import DEFAULT_PARAMS, Filters, LexicalIndex, LexicalParams, day_number
from .vectors import VectorSet


@dataclass(frozen=True)
class FusionParams:
    method: str = "linear"  # "linear" | "rrf"
    lexical_weight: float = 0.3  # linear: weight of normalised BM25, (1 - w) for cosine
    norm: str = "max"  # BM25 normalisation: "max" (score / best) or "minmax" over the candidates
    cos_norm: str = "raw"  # cosine normalisation over the candidates: "minmax" | "raw"
    depth: int = 100  # candidates taken from each retriever
    prf_weight: float = 0.0  # pseudo-relevance feedback: query vector + w * mean(top prf_k fused vectors)
    prf_k: int = 3
    rrf_k: int = 60


DEFAULT_FUSION = FusionParams()


@dataclass
class Candidate:
    pk: int
    score: float
    bm25: float
    cosine: float


@dataclass
class Retrieval:
    candidates: list[Candidate]  # best first
    lexical_total: int  # documents the lexical query matched (with filters)
    filtered_empty: bool = False  # the filters allow no document at all


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
    query_vector: np.ndarray | None,
    filters: Filters = Filters(),
    *,
    lexical_params: LexicalParams = DEFAULT_PARAMS,
    fusion: FusionParams = DEFAULT_FUSION,
    depth: int | None = None,
) -> Retrieval:
    """Run both retrievers with ``filters`` and fuse. ``query_vector`` None = lexical only."""
    depth = depth or fusion.depth
    text_q = lexical.text_query(words, phrases, lexical_params)
    filt_q = lexical.filter_query(filters)
    lex_hits: list[tuple[int, float]] = []
    lex_total = 0
    if text_q is not None:
        lex_hits, lex_total = lexical.search(LexicalIndex.combine(text_q, filt_q), depth)
    dense_hits: list[tuple[int, float]] = []
    mask = None
    if query_vector is not None and vectors is not None and len(vectors):
        mask = dense_mask(vectors, lexical, filters)
        if phrases:
            # A quoted phrase is a hard requirement: dense candidates must contain it too.
            phrase_q = lexical.text_query([], phrases, lexical_params)
            if phrase_q is not None:
                allowed = lexical.matching_pks(LexicalIndex.combine(phrase_q, filt_q))
                mask = vectors.mask(pks=allowed) if mask is None else mask & vectors.mask(pks=allowed)
        if mask is None or mask.any():
            dense_hits = vectors.search(query_vector, depth, mask)
    filtered_empty = mask is not None and not mask.any() and not lex_hits
    return Retrieval(fuse(lex_hits, dense_hits, vectors, query_vector, fusion), lex_total, filtered_empty)


def fuse(
    lex_hits: list[tuple[int, float]],
    dense_hits: list[tuple[int, float]],
    vectors: VectorSet | None,
    query_vector: np.ndarray | None,
    fusion: FusionParams = DEFAULT_FUSION,
) -> list[Candidate]:
    """One ranking from two candidate lists (see the module docstring)."""
    bm25 = dict(lex_hits)
    cos = dict(dense_hits)
    pks = list(dict.fromkeys([pk for pk, _ in lex_hits] + [pk for pk, _ in dense_hits]))
    if not pks:
        return []
    if fusion.method == "rrf":
        lex_rank = {pk: r for r, (pk, _) in enumerate(lex_hits)}
        dense_rank = {pk: r for r, (pk, _) in enumerate(dense_hits)}
        out = [Candidate(pk, sum(1.0 / (fusion.rrf_k + 1 + r[pk]) for r in (lex_rank, dense_rank) if pk in r),
                         bm25.get(pk, 0.0), cos.get(pk, 0.0)) for pk in pks]
        out.sort(key=lambda c: -c.score)
        return out
    missing = [pk for pk in pks if pk not in cos]
    if missing and vectors is not None and query_vector is not None:
        for pk, s in zip(missing, vectors.scores_for(query_vector, missing), strict=True):
            if s > -1.0:
                cos[pk] = float(s)
    b = np.array([bm25.get(pk, 0.0) for pk in pks], dtype=np.float64)
    c = np.array([cos.get(pk, np.nan) for pk in pks], dtype=np.float64)
    b_n = _normalise(b, fusion.norm, present=np.array([pk in bm25 for pk in pks]))
    if np.isnan(c).all():
        fused = b_n
        c = np.zeros_like(c)
    else:
        c = np.where(np.isnan(c), np.nanmin(c), c)
        w = fusion.lexical_weight if bm25 else 0.0
        fused = w * b_n + (1.0 - w) * _normalise(c, fusion.cos_norm)
        if fusion.prf_weight > 0 and vectors is not None and query_vector is not None and len(pks) > fusion.prf_k:
            # Move the query towards its best fused results and score the candidates again.
            top = [pks[i] for i in np.argsort(-fused, kind="stable")[: fusion.prf_k]]
            found = vectors.vectors_for(top)
            if found:
                q2 = query_vector + fusion.prf_weight * np.mean(list(found.values()), axis=0)
                q2 = (q2 / max(float(np.linalg.norm(q2)), 1e-12)).astype(np.float32)
                c2 = vectors.scores_for(q2, pks).astype(np.float64)
                c = np.where(c2 > -1.0, c2, c)
                fused = w * b_n + (1.0 - w) * _normalise(c, fusion.cos_norm)
    order = np.argsort(-fused, kind="stable")
    return [Candidate(pks[i], float(fused[i]), float(b[i]), float(c[i])) for i in order]


def _normalise(x: np.ndarray, how: str, present: np.ndarray | None = None) -> np.ndarray:
    if not len(x) or how == "raw":
        return x
    if how == "max":
        top = x.max()
        return x / top if top > 0 else np.zeros_like(x)
    values = x[present] if present is not None and present.any() else x
    lo, hi = float(values.min()), float(values.max())
    out = (np.ones_like(x) if hi > 0 else np.zeros_like(x)) if hi - lo < 1e-12 else (x - lo) / (hi - lo)
    if present is not None:
        out = np.where(present, out, 0.0)
    return np.clip(out, 0.0, 1.0)
