"""HNSW build settings against recall: which graph settings find the exact top 10.

The 1M benchmark's vectors (``search_latency.corpus_matrix``: the real cached vectors, then
perturbed copies) at ``--scale`` documents, 200 real queries, the exact float32 top 10 as truth.
For each ``dtype:connectivity:expansion_add`` given, a graph is built and searched at ef 512 and
1024; the graph's top ``--fetch`` are re-scored from the float16 rows (as
``VectorSet._graph`` does) and the best 10 kept. Also printed once: the recall of an exact scan
over the float16 rows (what storage alone costs) and, for the first setting, the recall when the
graph is asked for 10 / 30 / 100 / 300 neighbours (whether a deeper search would help).

    python benchmarks/hnsw_build.py --scale 300000 f16:32:128 f16:32:256
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "benchmarks"))
os.environ.setdefault("PAPERFEED_SEARCH_EXACT_MAX", "20000")
from search_corpus import load_corpus  # noqa: E402
from search_latency import corpus_matrix, make_queries  # noqa: E402

from paperfeed.search.embedder import Embedder  # noqa: E402
from paperfeed.search.query import parse_query  # noqa: E402


def replicated(scale: int, noise: float = 0.02) -> np.ndarray:
    """The same matrix ``search_latency.py --scale`` builds (same seed, same noise)."""
    papers = load_corpus()
    vectors, _ = corpus_matrix(papers)
    copies = -(-scale // len(papers))
    rng = np.random.default_rng(0)
    parts = [vectors]
    for _ in range(1, copies):
        noisy = vectors + rng.normal(scale=noise, size=vectors.shape).astype(np.float32)
        parts.append(noisy / np.linalg.norm(noisy, axis=1, keepdims=True))
    return np.vstack(parts)[:scale]


def recall(idx, f16: np.ndarray, qv: list[np.ndarray], truth: list[set], fetch: int, dtype: str) -> tuple[float, float]:
    rec, ms = [], []
    for v, tr in zip(qv, truth, strict=True):
        t = time.perf_counter()
        keys = np.asarray(idx.search(v.astype(np.float16) if dtype == "f16" else v, fetch, threads=1).keys, dtype=np.int64)
        got = keys[np.argsort(-(f16[keys].astype(np.float32) @ v))[:10]]
        ms.append((time.perf_counter() - t) * 1000)
        rec.append(len(tr & set(got.tolist())) / 10)
    return float(np.mean(rec)), float(np.percentile(ms, 50))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("settings", nargs="+", help="dtype:connectivity:expansion_add, e.g. f16:32:256")
    parser.add_argument("--scale", type=int, default=300_000)
    parser.add_argument("--fetch", type=int, default=100)
    args = parser.parse_args()
    from usearch.index import Index

    matrix = replicated(args.scale)
    f16 = matrix.astype(np.float16)
    papers = load_corpus()
    embedder = Embedder()
    qv = [embedder.encode_query(parse_query(q).text, cache=False) for q in make_queries(papers, 200)]
    truth = [set(np.argpartition(-(matrix @ v), 10)[:10].tolist()) for v in qv]
    rounded = f16.astype(np.float32)  # the stored rows, scored in float32 as _exact_rows scores them
    stored = [len(tr & set(np.argpartition(-(rounded @ v), 10)[:10].tolist())) / 10 for v, tr in zip(qv, truth, strict=True)]
    del rounded
    print(f"{args.scale:,} docs: exact scan over the float16 rows, recall@10 {np.mean(stored):.4f}", flush=True)
    for n, setting in enumerate(args.settings):
        dtype, connectivity, expansion_add = setting.split(":")
        t = time.perf_counter()
        idx = Index(ndim=matrix.shape[1], metric="ip", dtype=dtype, connectivity=int(connectivity),
                    expansion_add=int(expansion_add))
        idx.add(np.arange(args.scale, dtype=np.uint64), f16 if dtype == "f16" else matrix)
        built = time.perf_counter() - t
        for ef in (512, 1024):
            idx.expansion_search = ef
            r, p50 = recall(idx, f16, qv, truth, args.fetch, dtype)
            print(f"{setting} build {built:.0f} s, ef {ef}, top {args.fetch} re-scored: recall@10 {r:.4f}, "
                  f"p50 {p50:.2f} ms", flush=True)
        if n == 0:
            idx.expansion_search = 512
            for fetch in (10, 30, 100, 300):
                print(f"{setting} ef 512, asked for {fetch}: recall@10 {recall(idx, f16, qv, truth, fetch, dtype)[0]:.4f}",
                      flush=True)
        del idx
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
