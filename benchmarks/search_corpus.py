"""The 74,728-paper arXiv corpus and its sentence vectors, cached for the search benchmarks.

Embedding 75k abstracts takes 15-20 minutes on two cores, so vectors are computed once,
in chunks (a killed run resumes at the last finished chunk), and cached under
``.benchcache/search/`` keyed by the embedder fingerprint and the corpus' ids.

    nice -n 19 python benchmarks/search_corpus.py          # embed (or confirm the cache)
"""

from __future__ import annotations

import gzip
import hashlib
import json
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "data"
CACHE = REPO / ".benchcache" / "search"
CHUNK = 2500


def load_corpus(path: Path = DATA / "arxiv_daily.jsonl.gz") -> list[dict]:
    """Every paper of the corpus file, in file order."""
    with gzip.open(path, "rt", encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def corpus_vectors(papers: list[dict], *, progress: bool = True) -> np.ndarray:
    """``(len(papers), 384)`` float32 vectors of ``paper_text(title, abstract)``, cached."""
    from paperfeed.search.embedder import Embedder, paper_text

    embedder = Embedder.default()
    ids = "\n".join(p["id"] for p in papers)
    key = hashlib.sha256((ids + "|" + embedder.fingerprint).encode()).hexdigest()[:16]
    final = CACHE / f"arxiv_{len(papers)}_{key}.npy"
    if final.exists():
        return np.load(final)
    parts = CACHE / f"arxiv_{len(papers)}_{key}.parts"
    parts.mkdir(parents=True, exist_ok=True)
    chunks = []
    started = time.perf_counter()
    for n, start in enumerate(range(0, len(papers), CHUNK)):
        part = parts / f"{n:04d}.npy"
        if not part.exists():
            batch = papers[start : start + CHUNK]
            vecs = embedder.encode([paper_text(p["title"], p["abstract"]) for p in batch], progress=progress)
            np.save(part, vecs)
            done = min(start + CHUNK, len(papers))
            rate = CHUNK / max(time.perf_counter() - started, 1e-9)
            started = time.perf_counter()
            print(f"  {done}/{len(papers)} embedded ({rate:.0f}/s)", file=sys.stderr, flush=True)
        chunks.append(np.load(part))
    vectors = np.vstack(chunks).astype(np.float32)
    np.save(final, vectors)
    for part in parts.iterdir():
        part.unlink()
    parts.rmdir()
    return vectors


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))
    corpus = load_corpus()
    vectors = corpus_vectors(corpus, progress=False)
    print(f"{vectors.shape[0]} vectors of dim {vectors.shape[1]} cached in {CACHE}")
