"""Topic groups for ambiguous queries: "SSL" -> self-supervised / semi-supervised / TLS papers.

The top results of a query are clustered over their sentence vectors (spherical k-means,
k = 2..6, deterministic seed) and the k with the best silhouette is kept. Whether the
query is ambiguous is decided by measurement, not by a word list: groups are shown only
when the results are spread out (mean pairwise cosine of the top results at most
``MAX_MEAN_COSINE``), the best split is real (silhouette at least ``MIN_SILHOUETTE``) and
every group holds at least ``MIN_GROUP_SHARE`` of the clustered results.

Why spread and not silhouette alone: measured on real arXiv results (docs/search.md), the
silhouette of MiniLM vectors is low everywhere (0.1-0.3) and does not separate "SSL"
from "gaussian splatting slam", while the spread does: the top results of ambiguous or
broad queries have mean cosine 0.44-0.57 ("SSL" 0.47, "graph" 0.44, "transformers" 0.45),
focused ones 0.65-0.69 ("gaussian splatting slam" 0.65, "speculative decoding" 0.68,
"kv cache compression" 0.65).

Labels are the most *distinctive* title n-grams of each group: frequent in the group's
titles, rare in the other groups' titles, longer phrases preferred, words of the query
itself skipped (they are in every group); each group gets a phrase of its own, never "topic N".

Acronym queries are not clustered here: they are grouped by the meanings papers define
(:mod:`.acronyms`), which needs no relevant head and no spread.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

import numpy as np

from .lexical import STOPWORDS

TOP_N = 60  # results clustered
MIN_RESULTS = 12  # fewer results than this: never grouped
MIN_SILHOUETTE = 0.08
MAX_MEAN_COSINE = 0.55  # results closer together than this are one topic, however they split
RELEVANCE_BAND = 0.15  # cluster only results within this cosine of the best one (the relevant head)
MIN_GROUP_SHARE = 0.10
MAX_K = 6
_WORD = re.compile(r"[a-z0-9]+(?:[-'][a-z0-9]+)*")
# Words that may not start or end a label, and single words too generic to be one.
_EDGE_STOP = STOPWORDS | frozenset(["towards", "toward", "based", "new", "novel", "via", "through", "beyond", "your"])
_GENERIC = frozenset(["learning", "model", "models", "method", "methods", "framework", "approach", "approaches", "network", "networks", "data", "based", "large", "language", "image", "images", "visual", "vision", "deep", "neural", "efficient", "task", "tasks", "benchmark", "study", "analysis", "system", "systems", "generation", "training", "multimodal"])


@dataclass
class Grouping:
    labels: list[str]  # one per group
    keys: list[str]  # url-safe, stable for the same query
    centroids: np.ndarray  # (k, dim), unit rows
    silhouette: float

    def assign(self, vectors: np.ndarray) -> np.ndarray:
        """Group index of each row (nearest centroid by cosine)."""
        if not len(vectors):
            return np.zeros(0, dtype=np.int64)
        return np.argmax(vectors @ self.centroids.T, axis=1)


def kmeans(x: np.ndarray, k: int, *, seed: int = 0, iters: int = 25,
           sim: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Spherical k-means with k-means++ seeding; deterministic for a given input.

    ``sim`` (``x @ x.T``, when the caller has it) makes the seeding free: every seed is a row of
    ``x``, so its similarities to all rows are one of ``sim``'s columns.
    """
    rng = np.random.default_rng(seed)
    n = len(x)
    sim = x @ x.T if sim is None else sim
    chosen = [0]  # start from the best result: stable across runs and meaningful
    for _ in range(1, k):
        d = 1.0 - np.max(sim[:, chosen], axis=1)
        d = np.maximum(d, 0) ** 2
        total = d.sum()
        chosen.append(int(rng.choice(n, p=d / total)) if total > 0 else int(rng.integers(n)))
    c = x[chosen].copy()
    labels = np.zeros(n, dtype=np.int64)
    eye = np.eye(k, dtype=x.dtype)
    for step in range(iters):
        new = np.argmax(x @ c.T, axis=1)
        if step > 0 and np.array_equal(new, labels):
            break
        labels = new
        sums = eye[labels].T @ x  # (k, dim): each group's summed rows
        norms = np.linalg.norm(sums, axis=1)
        filled = np.bincount(labels, minlength=k) > 0  # an empty group keeps its centre
        c[filled] = sums[filled] / np.maximum(norms[filled], 1e-12)[:, None]
    return labels, c


def silhouette(x: np.ndarray, labels: np.ndarray, sim: np.ndarray | None = None) -> float:
    """Mean silhouette with cosine distance (vectorised; n is at most a few hundred; ``sim`` = ``x @ x.T``)."""
    k = int(labels.max()) + 1 if len(labels) else 0
    if k < 2:
        return -1.0
    dist = 1.0 - (x @ x.T if sim is None else sim)
    onehot = np.eye(k)[labels]  # (n, k)
    sizes = onehot.sum(axis=0)
    sums = dist @ onehot  # (n, k): summed distance from each point to each cluster
    n = len(x)
    own = sizes[labels] - 1
    a = np.where(own > 0, sums[np.arange(n), labels] / np.maximum(own, 1), 0.0)
    mean_other = np.where(sizes > 0, sums / np.maximum(sizes, 1), np.inf)
    mean_other[np.arange(n), labels] = np.inf
    mean_other[:, sizes == 0] = np.inf
    b = mean_other.min(axis=1)
    scores = np.where(own > 0, (b - a) / np.maximum(np.maximum(a, b), 1e-12), 0.0)
    return float(scores.mean())


def _ngrams(title: str, skip: set[str]) -> set[str]:
    """The title's 1-3 word phrases that may label a group (flags per word, then one pass per start).

    A phrase may not start or end with an edge word, hold a number, or be only query words; a
    single word must be at least 4 letters and not generic.
    """
    words = _WORD.findall(title.lower())
    n = len(words)
    bad = [w in _EDGE_STOP or w.isdigit() for w in words]  # may not start or end a phrase
    digit = [w.isdigit() for w in words]
    asked = [w in skip for w in words]
    grams: set[str] = set()
    for i, w in enumerate(words):
        if bad[i]:
            continue
        if not asked[i] and len(w) >= 4 and w not in _GENERIC:
            grams.add(w)
        if i + 1 < n and not bad[i + 1] and not (asked[i] and asked[i + 1]):
            grams.add(f"{w} {words[i + 1]}")
        if i + 2 < n and not bad[i + 2] and not digit[i + 1] and not (asked[i] and asked[i + 1] and asked[i + 2]):
            grams.add(f"{w} {words[i + 1]} {words[i + 2]}")
    return grams


def label_groups(titles: list[str], labels: np.ndarray, query_words: list[str]) -> list[str]:
    """A short, readable, distinctive label per group, never the same twice and never "topic N".

    Each group takes its most distinctive title phrase not already taken; a group whose phrases
    are all taken (or whose titles share none) falls back to the phrase it holds most often,
    then to the first words of its best title.
    """
    skip = {w.lower() for w in query_words} | {w.lower().rstrip("s") for w in query_words}
    per_title = [_ngrams(t, skip) for t in titles]
    k = int(labels.max()) + 1
    counts = [Counter() for _ in range(k)]
    sizes = np.bincount(labels, minlength=k)
    for grams, group in zip(per_title, labels, strict=True):
        counts[group].update(grams)
    total = Counter()
    for c in counts:
        total.update(c)
    out: list[str] = []
    for j in range(k):
        label = _most_distinctive(counts[j], total, int(sizes[j]), len(titles), taken=out)
        if not label:
            first = next((t for t, g in zip(titles, labels, strict=True) if g == j and t.strip()), "")
            label = " ".join(_WORD.findall(first.lower())[:4]) or "other results"
            while label in out:
                label += " (more)"
        out.append(label)
    return out


def _most_distinctive(counts: Counter, total: Counter, size: int, n_titles: int, taken: list[str]) -> str:
    """A group's most distinctive title phrase not ``taken`` ("" when none is left); phrases shared by
    2+ titles come before single ones. The least key, not a sort: a group holds hundreds of phrases and
    one is wanted (the phrase itself ends the key, so no two keys tie)."""
    others = max(n_titles - size, 1)

    def score(item: tuple[str, int]) -> tuple:
        gram, df = item
        inside = df / max(size, 1)
        outside = (total[gram] - df) / others
        return (df < 2 and size > 3, -(inside - outside) * (1.0 + 0.35 * gram.count(" ")), gram)

    best = min((item for item in counts.items() if item[0] not in taken), key=score, default=None)
    return best[0] if best is not None else ""


def _slug(label: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-")[:40] or "group"


def could_split(vectors: np.ndarray) -> bool:
    """Whether the top results are many and spread out enough to be grouped at all.

    Callers ask this before fetching the titles the labels need: most queries are focused,
    and for them the titles would be read for nothing.
    """
    x = np.asarray(vectors[:TOP_N], dtype=np.float32)
    if len(x) < MIN_RESULTS:
        return False
    total = x.sum(axis=0, dtype=np.float64)  # mean of x @ x.T is |sum of rows|^2 / n^2: O(n) instead of O(n^2)
    return float(total @ total) / len(x) ** 2 <= MAX_MEAN_COSINE


def find_groups(vectors: np.ndarray, titles: list[str], query_words: list[str]) -> Grouping | None:
    """Groups for the top results (rows of ``vectors``, best first), or None when not ambiguous."""
    x = np.asarray(vectors[:TOP_N], dtype=np.float32)
    titles = titles[:TOP_N]
    if not could_split(x):
        return None
    best: tuple[float, int, np.ndarray, np.ndarray] | None = None
    min_size = max(3, int(np.ceil(MIN_GROUP_SHARE * len(x))))
    sim = x @ x.T  # once for every k: the seeding and the silhouettes read it
    for k in range(2, MAX_K + 1):
        if k * min_size > len(x):
            break
        labels, centers = kmeans(x, k, sim=sim)
        sizes = np.bincount(labels, minlength=k)
        if sizes.min() < min_size:
            continue
        s = silhouette(x, labels, sim)
        if best is None or s > best[0]:
            best = (s, k, labels, centers)
    if best is None or best[0] < MIN_SILHOUETTE:
        return None
    s, k, labels, centers = best
    names = label_groups(titles, labels, query_words)
    keys: list[str] = []
    for name in names:
        key = _slug(name)
        while key in keys:
            key += "-2"
        keys.append(key)
    return Grouping(names, keys, centers, s)

