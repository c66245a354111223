"""The 74,728-paper arXiv corpus and its sentence vectors, cached for the search benchmarks.

Embedding 75k abstracts takes 15-20 minutes on two cores, so vectors are computed once,
in chunks (a killed run resumes at the last finished chunk), and cached under
``.benchcache/search/`` keyed by the embedder fingerprint and the corpus' ids.

    nice -n 19 python benchmarks/search_corpus.py          # embed (or confirm the cache)

``build_lexical`` indexes the corpus (or ``copies`` of it under new pks) with the product's
own tantivy index, for the latency, known-item and similar-papers benchmarks.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import sys
import time
from datetime import date
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


def corpus_vectors(papers: list[dict], *, progress: bool = True, upto: int | None = None) -> np.ndarray:
    """``(len(papers), 384)`` float32 vectors of ``paper_text(title, abstract)``, cached.

    ``upto``: only the first ``upto`` papers (rounded up to whole chunks), from the same
    chunk cache, so a benchmark can run on a prefix of the corpus while the rest is embedded.
    """
    from paperfeed.search.embedder import Embedder, paper_text

    embedder = Embedder.default()
    ids = "\n".join(p["id"] for p in papers)
    key = hashlib.sha256((ids + "|" + embedder.fingerprint).encode()).hexdigest()[:16]
    final = CACHE / f"arxiv_{len(papers)}_{key}.npy"
    if final.exists():
        return np.load(final, mmap_mode="r")[:upto].astype(np.float32) if upto else np.load(final)
    parts = CACHE / f"arxiv_{len(papers)}_{key}.parts"
    parts.mkdir(parents=True, exist_ok=True)
    chunks = []
    started = time.perf_counter()
    for n, start in enumerate(range(0, min(upto or len(papers), len(papers)), CHUNK)):
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
    if upto:
        return vectors[:upto]
    np.save(final, vectors)
    for part in parts.iterdir():
        part.unlink()
    parts.rmdir()
    return vectors


def embedded_prefix(papers: list[dict]) -> int:
    """How many papers, from the start of the corpus, already have cached vectors."""
    from paperfeed.search.embedder import Embedder

    ids = "\n".join(p["id"] for p in papers)
    key = hashlib.sha256((ids + "|" + Embedder.default().fingerprint).encode()).hexdigest()[:16]
    if (CACHE / f"arxiv_{len(papers)}_{key}.npy").exists():
        return len(papers)
    parts = CACHE / f"arxiv_{len(papers)}_{key}.parts"
    done = 0
    while (parts / f"{done:04d}.npy").exists():
        done += 1
    return min(done * CHUNK, len(papers))


def build_lexical(papers: list[dict], path: Path, copies: int = 1, total: int | None = None):
    """A tantivy index of ``papers`` (pk = position, repeated ``copies`` times up to ``total`` docs)."""
    from rich.progress import Progress

    from paperfeed.search.lexical import LexicalDoc, LexicalIndex

    total = total or len(papers) * copies
    index = LexicalIndex.create(path)
    # Large commits: one writer, several threads when the machine has them.
    writer = index.index.writer(heap_size=512_000_000, num_threads=min(4, os.cpu_count() or 1))
    with Progress(transient=True) as bar:
        task = bar.add_task("lexical index", total=total)
        for pk in range(total):
            p = papers[pk % len(papers)]
            writer.add_document(index._document(LexicalDoc(pk, p["title"], p["abstract"], p["authors"],
                                                           p["categories"], date.fromisoformat(p["date"]))))
            if pk % 5000 == 0:
                bar.update(task, completed=pk)
        writer.commit()
        writer.wait_merging_threads()
    index.reload()
    return index


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))
    corpus = load_corpus()
    vectors = corpus_vectors(corpus, progress=False)
    print(f"{vectors.shape[0]} vectors of dim {vectors.shape[1]} cached in {CACHE}")
