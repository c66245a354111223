"""Ranking candidate papers for one member from the papers they saved or upvoted.

Pure numpy/scikit-learn, no Django, so ``benchmarks/recommend.py`` measures exactly the code
the site runs. Two scorers over the same features:

* ``centroid``: cosine to the mean of the member's (L2-normalised) paper vectors.
* ``svm``: a per-member linear SVM, positives = their papers, negatives = the candidate pool
  (what arxiv-sanity-lite does); it learns which terms separate *their* topic from the
  day's other papers instead of just what their papers have in common.

Features are tf-idf (unigrams + bigrams, sublinear tf) of title + abstract, or sentence
embeddings when the search app can supply them, or both concatenated (``hybrid``). Which
one the site uses was chosen by measurement: see docs/digests.md and benchmarks/recommend.py.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize
from sklearn.svm import LinearSVC

_LATEX = re.compile(r"\\[A-Za-z]+|[{}$^_~\\]")

METHODS = ("centroid", "svm")


def clean(text: str) -> str:
    """Drop LaTeX commands and math punctuation so ``\\mathcal{L}`` does not become a topic."""
    return _LATEX.sub(" ", text or "")


def paper_text(title: str, abstract: str) -> str:
    # The title says what the paper is about most densely: count it twice.
    return f"{clean(title)}. {clean(title)}. {clean(abstract)}"


def tfidf(texts: Sequence[str], min_df: int = 2, max_features: int = 50000) -> sparse.csr_matrix:
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


def combine(text_rows: sparse.spmatrix | None, vectors: np.ndarray | None, text_weight: float = 0.5):
    """Concatenate tf-idf and embeddings (each unit length, weighted) into one matrix."""
    parts = []
    if text_rows is not None:
        parts.append(sparse.csr_matrix(text_rows) * np.sqrt(text_weight))
    if vectors is not None:
        parts.append(sparse.csr_matrix(np.asarray(vectors, dtype=np.float32)) * np.sqrt(1 - text_weight))
    if not parts:
        raise ValueError("no features")
    return sparse.hstack(parts).tocsr() if len(parts) > 1 else parts[0]


def _rows(matrix, index):
    return matrix[index]


def score(features, positive: Sequence[int], candidates: Sequence[int], method: str = "svm",
          c: float = 0.1) -> np.ndarray:
    """Scores for ``candidates`` (row indices into ``features``) given ``positive`` rows.

    Higher is better. With no positives every score is 0 (the caller falls back to trending).
    """
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; choose one of {', '.join(METHODS)}")
    positive = list(positive)
    candidates = list(candidates)
    if not positive or not candidates:
        return np.zeros(len(candidates), dtype=np.float32)
    pos = _rows(features, positive)
    cand = _rows(features, candidates)
    if method == "centroid" or len(candidates) < 2:
        centroid = np.asarray(pos.mean(axis=0)).ravel()
        norm = np.linalg.norm(centroid)
        if norm == 0:
            return np.zeros(len(candidates), dtype=np.float32)
        return np.asarray(cand @ (centroid / norm)).ravel()
    # Candidates that are also positives must not be trained as negatives.
    pos_set = set(positive)
    neg_idx = [i for i, row in enumerate(candidates) if row not in pos_set]
    if sparse.issparse(features):
        train = sparse.vstack([pos, cand[neg_idx]]).tocsr()
    else:
        train = np.vstack([pos, cand[neg_idx]])
    labels = np.r_[np.ones(len(positive)), np.zeros(len(neg_idx))]
    model = LinearSVC(C=c, class_weight="balanced", max_iter=5000, tol=1e-4)
    model.fit(train, labels)
    return model.decision_function(cand).astype(np.float32)


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
    pos = normalize(_rows(features, positive))
    cand = normalize(_rows(features, list(candidates)))
    sims = cand @ pos.T
    sims = sims.toarray() if sparse.issparse(sims) else np.asarray(sims)
    best = sims.argmax(axis=1)
    return [Explanation(int(b), float(sims[i, b])) for i, b in enumerate(best)]
