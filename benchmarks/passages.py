"""Sentence-level dense evidence (MaxP), measured as a re-rank of the fused head; not in the product.

Why measured: all-MiniLM-L6-v2 was trained on sentence pairs and a SciFact claim (or a remembered
finding) usually matches *one* sentence of an abstract, while the paper vector averages that
sentence with the rest and truncates at 224 tokens. Scoring a paper by the better of its own
cosine and its best sentence's cosine (MaxP, Dai & Callan 2019, the whole paper counting as one
more passage), then z-score fusing that with BM25 over the fused top :data:`RERANK_DEPTH`, lets
that sentence speak at a query-time cost of one small matrix product.

Why not in the product: it lifts SciFact by about 0.01 nDCG@10 (train and test) but stays
below the 0.75 goal, and it costs ~8 passage vectors per paper (embedding time and storage, see
docs/search.md, Quality). Both benchmarks run it with ``--passages``; the vectors are cached in
``.benchcache/search/`` keyed by the embedder fingerprint and the texts. :func:`windows` cuts
fewer, longer passages (two sentences each) for the cheaper variant of benchmarks/rescore.py.
"""

from __future__ import annotations

import hashlib
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from paperfeed.search.embedder import Embedder, normalize_text
from paperfeed.search.hybrid import Candidate, FusionParams, fuse_scores

RERANK_DEPTH = 100
# A sentence ends at . ! ? before a capital, with or without a space (SciFact's abstracts run
# sentences together: "disabilities.A line scan"); a lower-case letter, digit or bracket must
# precede the stop, so "1.8" and "e.g. the" stay whole.
_SENTENCE_END = re.compile(r"(?<=[a-z0-9%)\]][.!?])\s*(?=[A-Z])|(?<=[.!?])\s+(?=[A-Z(\[])")


def sentences(text: str | None) -> list[str]:
    """The sentences of an abstract, normalised as the embedder normalises, in order."""
    return [s for s in (part.strip() for part in _SENTENCE_END.split(normalize_text(text))) if s]


def windows(text: str | None, size: int = 2) -> list[str]:
    """Consecutive runs of ``size`` sentences, not overlapping: fewer, longer passages than sentences."""
    parts = sentences(text)
    return [" ".join(parts[i:i + size]) for i in range(0, len(parts), size)]


class Passages:
    """One vector per abstract passage; rows ``starts[i]:starts[i + 1]`` belong to document ``i``."""

    def __init__(self, starts: np.ndarray, matrix: np.ndarray) -> None:
        self.starts, self.matrix = starts, matrix

    @classmethod
    def of(cls, abstracts: list[str], embedder: Embedder, cache: Path, label: str,
           split: Callable[[str | None], list[str]] = sentences) -> Passages:
        """Embed (or read from ``cache``) the passages ``split`` cuts from every abstract (document ``i`` =
        ``abstracts[i]``); the cache is keyed by the passages themselves, so each splitter has its own."""
        groups = [split(a) for a in abstracts]
        texts = [s for g in groups for s in g]
        starts = np.concatenate([[0], np.cumsum([len(g) for g in groups])]).astype(np.int64)
        key = hashlib.sha256(("\n".join(texts) + embedder.fingerprint).encode()).hexdigest()[:16]
        path = cache / f"passages_{label}_{len(texts)}_{key}.npy"
        if path.exists():
            return cls(starts, np.load(path).astype(np.float32))
        started = time.perf_counter()
        matrix = embedder.encode(texts, batch_size=64, progress=True)
        print(f"embedded {len(texts)} passages of {len(groups)} abstracts in {time.perf_counter() - started:.0f}s",
              file=sys.stderr)
        cache.mkdir(parents=True, exist_ok=True)
        np.save(path, matrix.astype(np.float16))
        return cls(starts, matrix.astype(np.float16).astype(np.float32))

    def __add__(self, other: Passages) -> Passages:
        """Both passage sets of every document as one (a document's rows: its own, then ``other``'s)."""
        blocks = [m[s[d]:s[d + 1]] for d in range(len(self.starts) - 1)
                  for m, s in ((self.matrix, self.starts), (other.matrix, other.starts))]
        return Passages(self.starts + other.starts, np.concatenate(blocks))

    def best(self, query: np.ndarray, docs: list[int]) -> np.ndarray:
        """Each document's best passage cosine; NaN for a document without passages."""
        lo, hi = self.starts[docs], self.starts[np.asarray(docs) + 1]
        has = hi > lo
        out = np.full(len(docs), np.nan)
        if has.any():
            index = np.concatenate([np.arange(a, b) for a, b in zip(lo[has].tolist(), hi[has].tolist(), strict=True)])
            scores = self.matrix[index] @ query
            out[has] = np.maximum.reduceat(scores, np.concatenate([[0], np.cumsum((hi - lo)[has])[:-1]]))
        return out


def rerank(candidates: list[Candidate], query: np.ndarray, passages: Passages,
           depth: int = RERANK_DEPTH) -> list[Candidate]:
    """The fused head re-ordered by z(BM25) + z(max(paper cosine, best sentence cosine)); the tail stays below."""
    head, tail = candidates[:depth], candidates[depth:]
    if len(head) < 2:
        return candidates
    dense = np.fmax(np.array([c.cosine for c in head]), passages.best(query, [c.pk for c in head]))
    fused = fuse_scores(np.array([c.bm25 for c in head]), dense, FusionParams(method="zscore"))
    order = np.argsort(-fused, kind="stable").tolist()
    return [Candidate(head[i].pk, float(fused[i]), head[i].bm25, float(dense[i])) for i in order] + tail
