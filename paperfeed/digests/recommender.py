"""Ranking candidate papers for one member from the papers they saved or upvoted.

Pure numpy/scikit-learn, no Django, so ``benchmarks/recommend.py`` measures exactly the code
the site runs. Three scorers:

* ``centroid``: cosine to the mean of the member's (L2-normalised) paper vectors.
* ``svm``: a per-member linear SVM over tf-idf, positives = their papers, negatives = the
  candidate pool (arxiv-sanity-lite's method); it learns which terms separate *their* topic
  from the day's other papers instead of just what their papers have in common.
* ``fusion``: the SVM's score plus the sentence embeddings' score (mean cosine to the
  candidate's ``NEIGHBOURS`` closest positives), each z-scored per member so neither scale
  dominates, the embeddings weighted ``EMBEDDING_WEIGHT``. tf-idf keys on the exact method and
  dataset names an author repeats; the embeddings are meant to add paraphrases that share no
  term, but on the benchmark they cost a little, so the site fuses them only in ``hybrid`` mode.
  Without vectors it is the SVM alone.

Explicit negatives (``negative``: "not interested", picks shown and never saved) join the
SVM's negatives with a larger weight.

Features (``with_categories``): that tf-idf, and beside it the paper's arXiv categories (one column per
category, the row L2-normalised and scaled by ``CATEGORY_WEIGHT``): an author's papers of a month
share their categories as well as their words, and the SVM weighs both in one fit. Without
categories (a paper with none) the row is its text alone.

tf-idf counts every term that occurs in two texts or more (uni+bigrams, sublinear tf, title
twice): a cap on the vocabulary keeps the frequent terms and drops exactly the rare names that
mark an author's line of work. ``C`` is larger than arxiv-sanity-lite's for the same reason:
stronger regularisation (a smaller C) averages those rare terms away. Both were chosen by
measurement: see docs/digests.md and benchmarks/recommend.py.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.preprocessing import normalize
from sklearn.svm import LinearSVC

_LATEX = re.compile(r"\\[A-Za-z]+|[{}$^_~\\]")

METHODS = ("centroid", "svm", "fusion")
C = 1.0
NEGATIVE_WEIGHT = 3.0  # one "not interested" counts as much as three papers of the day's pool
EMBEDDING_WEIGHT = 0.2
NEIGHBOURS = 3
# A category column counts as much as 0.4 of a whole (unit-length) text vector: chosen on the April 2026
# split of benchmarks/recommend.py (0.4 / 0.6 / 0.8 / 1.0: +14.6 / +12.9 / +10.8 / +8.7 % over the
# anchor, text alone +10.2 %) and confirmed on March 2026, where nothing was tuned (docs/digests.md).
CATEGORY_WEIGHT = 0.4


def clean(text: str) -> str:
    """Drop LaTeX commands and math punctuation so ``\\mathcal{L}`` does not become a topic."""
    return _LATEX.sub(" ", text or "")


def paper_text(title: str, abstract: str) -> str:
    # The title says what the paper is about most densely: count it twice.
    return f"{clean(title)}. {clean(title)}. {clean(abstract)}"


def tfidf(texts: Sequence[str], min_df: int = 2, max_features: int | None = None) -> sparse.csr_matrix:
    """Fit and transform in one go; rows are L2-normalised (so dot product = cosine)."""
    min_df = min_df if len(texts) >= 20 else 1
    vectorizer = TfidfVectorizer(
        stop_words="english", ngram_range=(1, 2), min_df=min_df, max_df=0.5,
        max_features=max_features, sublinear_tf=True, dtype=np.float32,
        token_pattern=r"(?u)\b[a-zA-Z][a-zA-Z0-9-]+\b",
    )
    try:
        return vectorizer.fit_transform(texts).tocsr()
    except ValueError:  # empty vocabulary (e.g. only stop words): no text signal at all
        return sparse.csr_matrix((len(texts), 1), dtype=np.float32)


def categories(lists: Sequence[Sequence[str]]) -> sparse.csr_matrix:
    """One column per arXiv category; each row L2-normalised, so a cross-listed paper weighs no more."""
    joined = [" ".join(found) for found in lists]
    try:
        counts = CountVectorizer(token_pattern=r"\S+", lowercase=False, binary=True, dtype=np.float32)
        return normalize(counts.fit_transform(joined)).tocsr()
    except ValueError:  # no paper has a category: nothing to add
        return sparse.csr_matrix((len(joined), 0), dtype=np.float32)


def with_categories(text: sparse.csr_matrix, category_lists: Sequence[Sequence[str]]) -> sparse.csr_matrix:
    """The scorer's features: the rows' tf-idf beside their categories (weighted ``CATEGORY_WEIGHT``)."""
    return sparse.hstack([text, CATEGORY_WEIGHT * categories(category_lists)], format="csr")


def _zscore(values: np.ndarray) -> np.ndarray:
    spread = values.std()
    return (values - values.mean()) / spread if spread > 0 else values - values.mean()


def _centroid(features, positive: list[int], candidates: list[int]) -> np.ndarray:
    centroid = np.asarray(features[positive].mean(axis=0)).ravel()
    norm = np.linalg.norm(centroid)
    if norm == 0:
        return np.zeros(len(candidates), dtype=np.float32)
    return np.asarray(features[candidates] @ (centroid / norm)).ravel()


def _svm(features, positive: list[int], candidates: list[int], negative: list[int], c: float) -> np.ndarray:
    """arxiv-sanity-lite's per-member SVM; explicit negatives join the pool's with a larger weight."""
    pos_set, neg_set = set(positive), set(negative)
    # Candidates that are also positives (or explicit negatives) must not be trained twice.
    pool = [row for row in candidates if row not in pos_set and row not in neg_set]
    labels = np.r_[np.ones(len(positive)), np.zeros(len(pool) + len(negative))]
    weights = np.r_[np.ones(len(positive) + len(pool)), np.full(len(negative), NEGATIVE_WEIGHT)]
    model = LinearSVC(C=c, class_weight="balanced", max_iter=5000, tol=1e-4)
    model.fit(features[positive + pool + negative], labels, sample_weight=weights)
    return model.decision_function(features[candidates])


def _neighbours(vectors: np.ndarray, anchors: list[int], candidates: list[int]) -> np.ndarray:
    """Mean cosine of each candidate to its closest ``NEIGHBOURS`` anchors (rows are unit length)."""
    sims = vectors[candidates] @ vectors[anchors].T
    k = min(NEIGHBOURS, sims.shape[1])
    return np.sort(sims, axis=1)[:, -k:].mean(axis=1)


def score(features, positive: Sequence[int], candidates: Sequence[int], method: str = "svm", c: float = C,
          negative: Sequence[int] = (), vectors: np.ndarray | None = None) -> np.ndarray:
    """Scores for ``candidates`` (row indices into ``features`` and ``vectors``) given ``positive`` rows.

    Higher is better. With no positives every score is 0 (the caller falls back to trending).
    """
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; choose one of {', '.join(METHODS)}")
    positive, candidates, negative = list(positive), list(candidates), list(negative)
    if not positive or not candidates:
        return np.zeros(len(candidates), dtype=np.float32)
    if method == "centroid" or len(candidates) < 2:
        return _centroid(features, positive, candidates).astype(np.float32)
    svm = _svm(features, positive, candidates, negative, c)
    if method == "svm" or vectors is None:
        return svm.astype(np.float32)
    fused = _zscore(svm) + EMBEDDING_WEIGHT * _zscore(_neighbours(vectors, positive, candidates))
    return fused.astype(np.float32)


@dataclass
class Explanation:
    """Which of the member's papers a candidate is closest to, and how close (cosine)."""

    positive_index: int
    similarity: float


def explain(features, positive: Sequence[int], candidates: Sequence[int]) -> list[Explanation]:
    """For each candidate, the most similar positive: the "similar to X" in a pick's blurb."""
    positive = list(positive)
    if not positive:
        return []
    pos = normalize(features[positive])
    cand = normalize(features[list(candidates)])
    sims = cand @ pos.T
    sims = sims.toarray() if sparse.issparse(sims) else np.asarray(sims)
    best = sims.argmax(axis=1)
    return [Explanation(int(b), float(sims[i, b])) for i, b in enumerate(best)]
