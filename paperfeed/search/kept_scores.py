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
list is the kept list's head (:func:`top`: the index's own order, ties included). With other
words the top list still comes from the whole query: a threshold rule (Fagin, Lotem and Naor,
PODS 2001) over the best of both sides proved only 27 % of those lists at 75k, and trying it
cost more than it saved (widen 19.9 ms with it, 16.0 ms without, mean CPU of 128 acronym
queries, same minutes).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import tantivy

from .lexical import LexicalIndex


@dataclass(frozen=True)
class KeptScores:
    """Every paper a query matches and its score: pks sorted, scores beside them, and the order by score."""

    pks: np.ndarray  # int64, sorted
    scores: np.ndarray  # float32, one per pk
    best_first: np.ndarray  # indices into pks in the index's own order: best score first, its ties as it breaks them

    @classmethod
    def of(cls, lexical: LexicalIndex, query: tantivy.Query) -> KeptScores:
        hits = lexical.search(query, lexical.num_docs, count=False)[0]
        pks = np.fromiter((pk for pk, _ in hits), dtype=np.int64, count=len(hits))
        scores = np.fromiter((s for _, s in hits), dtype=np.float32, count=len(hits))
        order = np.argsort(pks, kind="stable")  # order[j]: the place in the index's order of the j-th pk
        best_first = np.empty(len(hits), dtype=np.int64)
        best_first[order] = np.arange(len(hits))
        return cls(pks[order], scores[order], best_first)

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
