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
words a threshold rule (Fagin, Lotem and Naor, PODS 2001) over the best of both sides proved
only 27 % of those lists at 75k and cost more than it saved, so the top list is either the
whole query's or, where the other words match few papers beside a large kept list
(:func:`merge_pays`), every kept score plus those words' scores (:func:`top_with`): the same
list, ties in the index's own order (tantivy breaks them by the document's place), on 90 of
90 acronym queries with other words at 75k; "Medical LLMs" 20.6 -> 3.7 ms, "LLM Agent"
20.5 -> 9.9 ms, while a word matching 30,000 papers would cost more than the phrases.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import tantivy

from .lexical import LexicalIndex

# top_with instead of the whole query: the kept list is this large (its phrases are the costly
# part: 20 ms at 75k for "LLM"'s 23,000 papers, 1-3 ms below 5,000) and the other words match at
# most this share of its size (merging costs ~0.7 ms per 1,000 of their matches at 75k).
MERGE_MIN_KEPT = 10_000
MERGE_MAX_SHARE = 0.5


@dataclass(frozen=True)
class KeptScores:
    """Every paper a query matches and its score: pks sorted, scores beside them, and the order by score."""

    pks: np.ndarray  # int64, sorted
    scores: np.ndarray  # float32, one per pk
    best_first: np.ndarray  # indices into pks in the index's own order: best score first, its ties as it breaks them
    places: np.ndarray  # int64, one per pk: its document's place in the index (tantivy's tie-break)

    @classmethod
    def of(cls, lexical: LexicalIndex, query: tantivy.Query) -> KeptScores:
        hits, places = lexical.search_placed(query, lexical.num_docs)
        pks = np.fromiter((pk for pk, _ in hits), dtype=np.int64, count=len(hits))
        scores = np.fromiter((s for _, s in hits), dtype=np.float32, count=len(hits))
        order = np.argsort(pks, kind="stable")  # order[j]: the place in the index's order of the j-th pk
        best_first = np.empty(len(hits), dtype=np.int64)
        best_first[order] = np.arange(len(hits))
        return cls(pks[order], scores[order], best_first, np.asarray(places, dtype=np.int64)[order])

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


def merge_pays(kept: KeptScores, other_matches: int) -> bool:
    """Whether :func:`top_with` is cheaper than the whole query, given (an upper bound of) how many
    papers the other words match."""
    return len(kept.pks) >= MERGE_MIN_KEPT and other_matches <= MERGE_MAX_SHARE * len(kept.pks)


def top_with(lexical: LexicalIndex, kept: KeptScores, optional: tantivy.Query, depth: int) -> list[tuple[int, float]]:
    """The best ``depth`` (pk, score) of ``kept AND [optional]``, as the whole query's search lists them.

    Every paper ``optional`` matches is fetched with its score (the cheap side: no phrases);
    a kept paper's score is the float32 sum of both, ties ordered by the document's place.
    """
    hits = lexical.search(optional, lexical.num_docs, count=False)[0]
    extra_pks = np.fromiter((pk for pk, _ in hits), dtype=np.int64, count=len(hits))
    extra = np.fromiter((s for _, s in hits), dtype=np.float32, count=len(hits))
    total = kept.scores.copy()
    if len(extra_pks) and len(kept.pks):
        at = np.minimum(np.searchsorted(kept.pks, extra_pks), len(kept.pks) - 1)
        found = kept.pks[at] == extra_pks
        total[at[found]] += extra[found]
    order = np.lexsort((kept.places, -total))[:depth]
    return list(zip(kept.pks[order].tolist(), total[order].tolist(), strict=True))
