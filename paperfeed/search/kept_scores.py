"""Exact scores of ``required AND [optional]`` lexical queries whose required part is costly, kept per generation.

An acronym query asks the index for "the acronym or any of its long forms" (required; long forms
are phrases) plus the query's other words (optional, ranking). Phrases of common words ("large
language models" and its variants) cost tens of milliseconds per search, restricted or not, and
every acronym query paid them twice: for its top list and for the exact BM25 of its dense-only
candidates. The required part's score of every paper depends on the generation alone, so
:class:`KeptScores` holds it (one search per generation: ~90 ms for "LLM" at 75k, 23,000 papers);
the dense-only candidates' scores then need only the optional words searched (:func:`scores_for`),
and a bare acronym needs no search at all.

Exact, not approximate: tantivy scores a boolean query of a required and an optional clause as
the float32 sum of the two clauses' scores (and 0 for a constant-score filter), so the sum of
the kept score and the optional words' score is the score the whole query would give (at 75k,
128 acronym queries got the same fused candidates and scores both ways). A bare acronym's top
list is the kept list's head (:func:`top`: the index's own order, ties included).

With other words or a filter, a large kept list (:data:`WITHIN_MIN_KEPT`) makes its top list
without its phrases (:func:`top_within`): one search asks for the papers of a *superset* of the
kept query that the other words and the filter match, the superset being the same query with
every phrase read as its words anywhere in the field (no positions, and a long form whose words
include a shorter one's is left out: its papers are the shorter one's already). Those papers'
other-word scores plus their kept scores, and the kept scores of the kept papers the other words
miss, are the whole query's scores of every paper it matches; the top list is theirs, ties in the
index's own order (tantivy breaks them by the document's place). Measured at 75k
(``benchmarks/acronym_toplists.py --queries 4000``): the same top 300 on 304 of 304 acronym queries
with other words or a filter; kept lists of 10,000 papers or more ("LLM Agent", "Multi-Label LLM")
21.3 -> 9.1 ms of CPU mean, 2,000-10,000 papers 5.7 -> 4.1 ms, while below 2,000 the whole query
is cheaper (1.0 against 1.1 ms): its phrases cost little there. The fourth round merged every match
of the other words, restricted to nothing, with the kept list (``top_with``, only where they matched
few papers); the superset restricts them to the acronym's papers before they leave tantivy.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import tantivy

from .lexical import LexicalIndex

# top_within instead of the whole query from this many kept papers on: below it the phrases cost
# less than fetching the other words' matches (docs: "Latency", sixth round).
WITHIN_MIN_KEPT = 2_000


@dataclass(frozen=True)
class KeptScores:
    """Every paper a query matches and its score: pks sorted, scores beside them, and the order by score."""

    pks: np.ndarray  # int64, sorted
    scores: np.ndarray  # float32, one per pk
    best_first: np.ndarray  # indices into pks in the index's own order: best score first, its ties as it breaks them
    places: np.ndarray  # int64, one per pk: its document's place in the index (tantivy's tie-break)

    @classmethod
    def of(cls, lexical: LexicalIndex, query: tantivy.Query) -> KeptScores:
        pks, scores, places = lexical.search_arrays(query, lexical.num_docs, places=True)
        order = np.argsort(pks, kind="stable")  # order[j]: the place in the index's order of the j-th pk
        best_first = np.empty(len(pks), dtype=np.int64)
        best_first[order] = np.arange(len(pks))
        return cls(pks[order], scores[order], best_first, places[order])

    def lookup(self, pks: list[int]) -> tuple[np.ndarray, np.ndarray]:
        """(scores, matched mask) of these pks (score 0 where the query does not match)."""
        wanted = np.asarray(pks, dtype=np.int64)
        if not len(self.pks) or not len(wanted):
            return np.zeros(len(wanted), dtype=np.float32), np.zeros(len(wanted), dtype=bool)
        at = np.minimum(np.searchsorted(self.pks, wanted), len(self.pks) - 1)
        found = self.pks[at] == wanted
        return np.where(found, self.scores[at], np.float32(0.0)), found


def scores_for(lexical: LexicalIndex, kept: KeptScores, optional: tantivy.Query | None,
               pks: list[int]) -> dict[int, float]:
    """The whole query's score of each of these pks that it matches (the required part must)."""
    required, found = kept.lookup(pks)
    matched = np.asarray(pks, dtype=np.int64)[found]
    total = required[found]
    if optional is not None and len(matched):
        extra = dict(lexical.search_among(optional, matched.tolist()))
        total = total + np.fromiter((extra.get(pk, 0.0) for pk in matched.tolist()), dtype=np.float32,
                                    count=len(matched))
    return dict(zip(matched.tolist(), total.tolist(), strict=True))


def top(kept: KeptScores, depth: int) -> list[tuple[int, float]]:
    """The best ``depth`` (pk, score) of the kept query alone, in the index's own order."""
    head = kept.best_first[:depth]
    return list(zip(kept.pks[head].tolist(), kept.scores[head].tolist(), strict=True))


def top_within(lexical: LexicalIndex, kept: KeptScores, superset: tantivy.Query, optional: tantivy.Query | None,
               filt: tantivy.Query | None, depth: int) -> list[tuple[int, float]]:
    """The best ``depth`` (pk, score) of ``kept AND [optional] AND filt``, as the whole query's search lists them.

    ``superset`` must match every paper the kept query matches (more is fine: those are dropped).
    Without a filter, only the kept papers ``optional`` matches are fetched (the others keep their
    kept score); with one, every kept paper the filter allows is fetched, ``optional`` scoring it.
    (Fetching only the other words' best matches and bounding the rest, with the papers in doubt
    searched one by one, cost more at 75k than fetching every match: docs/search.md, Latency.)
    """
    if filt is None and optional is None:
        return top(kept, depth)
    among = tantivy.Query.const_score_query(superset, 0.0)
    if filt is None:
        clauses = [(tantivy.Occur.Must, among), (tantivy.Occur.Must, optional)]
    else:
        clauses = [(tantivy.Occur.Must, among), (tantivy.Occur.Must, filt),
                   *([(tantivy.Occur.Should, optional)] if optional is not None else [])]
    hit_pks, extra, _ = lexical.search_arrays(tantivy.Query.boolean_query(clauses), lexical.num_docs)
    rows = np.zeros(0, dtype=np.int64)
    if len(hit_pks) and len(kept.pks):
        at = np.minimum(np.searchsorted(kept.pks, hit_pks), len(kept.pks) - 1)
        found = kept.pks[at] == hit_pks
        rows, extra = at[found], extra[found]
    if filt is None:  # every kept paper is listed; those the other words match score more
        total = kept.scores.copy()
        total[rows] += extra
        rows = np.arange(len(kept.pks))
    else:  # only the kept papers the filter allows are listed
        total = np.zeros(len(kept.pks), dtype=np.float32)
        total[rows] = kept.scores[rows] + extra
    order = rows[np.lexsort((kept.places[rows], -total[rows]))][:depth]
    return list(zip(kept.pks[order].tolist(), total[order].tolist(), strict=True))
