"""Similar papers by example: does "papers like this one" find the same group's other work?

Query-by-example on CS papers of the arXiv corpus, with ground truth that neither kind of
evidence defines: **two papers are related when they share at least two authors** (the same
group's line of work; one shared name is too often a different person or a large
consortium). Query papers are drawn with a fixed seed among those whose primary category is
``cs.*``, with 2-12 authors and 1-30 related papers in the collection; copies with the same
title are neither queries' answers nor counted. It measures topical closeness only as far
as a group works on one topic, which holds for most groups but not all; every method is
judged by the same imperfect truth, so the comparison is fair even where the absolute
numbers are low.

Methods, each ranking the whole collection minus the query paper:

* **tf-idf**: scikit-learn ``TfidfVectorizer`` (sublinear tf, English stopwords, min_df 2)
  over title + abstract, cosine: the plain baseline;
* **BM25 more-like-this**: the product's lexical side alone (the paper's 25 most distinctive
  words as a BM25 query);
* **dense**: the product's vectors alone (the similar papers of before);
* **fused**: :func:`paperfeed.search.similar.rank_similar` (both, z-score; the product) and
  the other fusion variants on the same candidates.

The collection is the first ``--docs`` papers of the corpus, as in ``benchmarks/known_item.py``.

    python benchmarks/similar.py            # a table
    python benchmarks/similar.py --json     # one JSON object
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
import tempfile
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from djangoenv import configure  # noqa: E402

configure(None, "pf-bench-")

from known_item import DOCS, load_collection  # noqa: E402
from search_corpus import CACHE, build_lexical  # noqa: E402

from paperfeed.search.embedder import normalize_text  # noqa: E402
from paperfeed.search.hybrid import FusionParams, fuse  # noqa: E402
from paperfeed.search.similar import similar_pool, title_key  # noqa: E402
from paperfeed.search.vectors import VectorSet  # noqa: E402

SEED = 20260711
QUERIES = 400
MIN_SHARED_AUTHORS = 2
METHODS = ("tf-idf", "BM25 more-like-this", "dense", "fused z-score (product)", "fused min-max", "fused RRF k=60")


def related_sets(papers: list[dict]) -> dict[int, set[int]]:
    """Paper position -> positions of papers sharing >= 2 authors (same-title copies left out)."""
    by_author: dict[str, list[int]] = defaultdict(list)
    for i, p in enumerate(papers):
        for name in dict.fromkeys(p["authors"]):
            by_author[name].append(i)
    titles = [title_key(p["title"]) for p in papers]
    out: dict[int, set[int]] = {}
    for i, p in enumerate(papers):
        if not (2 <= len(p["authors"]) <= 12):
            continue
        shared = Counter(j for name in dict.fromkeys(p["authors"]) for j in by_author[name] if j != i)
        out[i] = {j for j, n in shared.items() if n >= MIN_SHARED_AUTHORS and titles[j] != titles[i]}
    return out


def pick_queries(papers: list[dict], related: dict[int, set[int]], n: int = QUERIES, seed: int = SEED) -> list[int]:
    eligible = [i for i, rel in related.items() if papers[i]["categories"][0].startswith("cs.") and 1 <= len(rel) <= 30]
    return sorted(random.Random(seed).sample(eligible, min(n, len(eligible))))


def metrics(ranked: list[int], relevant: set[int]) -> tuple[float, float]:
    """(nDCG@10, recall@10) with binary relevance."""
    dcg = sum(1.0 / math.log2(r + 2) for r, pk in enumerate(ranked[:10]) if pk in relevant)
    idcg = sum(1.0 / math.log2(r + 2) for r in range(min(10, len(relevant))))
    return dcg / idcg, len(relevant & set(ranked[:10])) / len(relevant)


class TfIdf:
    """The plain baseline: tf-idf cosine over title + abstract."""

    def __init__(self, papers: list[dict]) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer

        texts = [normalize_text(f"{p['title']}. {p['abstract']}") for p in papers]
        self.matrix = TfidfVectorizer(sublinear_tf=True, stop_words="english", min_df=2).fit_transform(texts)

    def rank(self, i: int, k: int = 100) -> list[int]:
        scores = (self.matrix @ self.matrix[i].T).toarray().ravel()
        scores[i] = -1.0
        top = np.argpartition(-scores, k)[:k]
        return [int(j) for j in top[np.argsort(-scores[top], kind="stable")]]


def run(docs: int = DOCS, n_queries: int = QUERIES) -> dict:
    papers, matrix = load_collection(docs)
    related = related_sets(papers)
    queries = pick_queries(papers, related, n_queries)
    tfidf = TfIdf(papers)
    vectors = VectorSet(np.arange(len(papers), dtype=np.int64), matrix.astype(np.float16).astype(np.float32))
    titles = [title_key(p["title"]) for p in papers]
    sums = {m: np.zeros(2) for m in METHODS}
    with tempfile.TemporaryDirectory(dir=CACHE) as tmp:
        lexical = build_lexical(papers, Path(tmp) / "lexical")
        for i in queries:
            pool = similar_pool(lexical, vectors, i, papers[i]["title"], papers[i]["abstract"], vectors.matrix[i])
            runs = {
                "tf-idf": tfidf.rank(i),
                "BM25 more-like-this": [pk for pk, _ in pool.lexical],
                "dense": [pk for pk, _ in pool.dense],
                "fused z-score (product)": [c.pk for c in fuse(pool, FusionParams(method="zscore"))],
                "fused min-max": [c.pk for c in fuse(pool, FusionParams(method="minmax"))],
                "fused RRF k=60": [c.pk for c in fuse(pool, FusionParams(method="rrf"))],
            }
            for method, ranked in runs.items():
                # Like the product: the paper's own same-title copies are never shown.
                ranked = [pk for pk in ranked if titles[pk] != titles[i]]
                sums[method] += metrics(ranked, related[i])
        del lexical
    n = max(len(queries), 1)
    base = sums["tf-idf"][0] / n
    return {"collection": f"first {len(papers):,} papers of arxiv_daily.jsonl.gz", "docs": len(papers),
            "queries": len(queries), "seed": SEED, "truth": f"shares >= {MIN_SHARED_AUTHORS} authors",
            "results": {m: {"ndcg@10": round(v[0] / n, 4), "recall@10": round(v[1] / n, 4),
                            "vs_tfidf": round((v[0] / n) / base - 1.0, 4) if base else None}
                        for m, v in sums.items()}}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=DOCS, help="the first N papers of the corpus")
    parser.add_argument("--queries", type=int, default=QUERIES)
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    args = parser.parse_args()
    report = run(args.docs, args.queries)
    if args.json:
        print(json.dumps(report))
        return 0
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"Similar papers by example: {report['queries']} CS papers, {report['collection']}, "
                        f"related = {report['truth']} (seed {report['seed']})")
    for col in ("method", "nDCG@10", "Recall@10", "vs tf-idf"):
        table.add_column(col, justify="left" if col == "method" else "right")
    for method, row in report["results"].items():
        table.add_row(method, f"{row['ndcg@10']:.4f}", f"{row['recall@10']:.4f}", f"{row['vs_tfidf']:+.1%}")
    Console(width=200).print(table)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
