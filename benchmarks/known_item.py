"""Known-item search on the arXiv corpus: does a query find the one paper it was taken from?

Four query sets, drawn with a fixed seed (reproducible), from papers whose title no other
paper shares:

* **title**: a paper's title, as people paste it (an easy sanity check);
* **sentence**: one sentence of a paper's abstract (8-40 words, not the first), as people
  paste a remembered claim;
* **summary**: the one-sentence summary Hugging Face Daily Papers wrote for the paper
  (``ai_summary`` in ``hf_daily_papers.jsonl.gz``): the paper described in other words;
* **keywords**: the first five of that entry's ``ai_keywords``, as people type a topic.

The last two exist for every paper of the collection that was on Hugging Face's daily list.

The collection is the first ``--docs`` papers of ``arxiv_daily.jsonl.gz`` (file order; default
15,000, listed 2025-03-18 to 2025-06-12: embedding all 74,728 takes hours on a shared 2-core machine;
``--docs 74728`` once ``benchmarks/search_corpus.py`` has cached them). The relevant document
is that paper alone. Reported per method: MRR (over the top 100), nDCG@10 (one relevant document: 1 / log2(rank + 1) within the top 10) and recall@10. The
corpus is indexed with the product's own lexical index and the cached corpus vectors
(``benchmarks/search_corpus.py``); every fusion variant of :mod:`paperfeed.search.hybrid`
runs on the same two candidate lists per query.

    python benchmarks/known_item.py              # a table
    python benchmarks/known_item.py --json       # one JSON object
    python benchmarks/known_item.py --passages --docs 5000   # + the best-sentence re-rank (passages.py)
    python benchmarks/known_item.py --passages --windows --docs 5000   # + 2-sentence windows, and both
    python benchmarks/search_quality.py --json   # SciFact and this set together
"""

from __future__ import annotations

import argparse
import gzip
import json
import math
import random
import re
import sys
import tempfile
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from djangoenv import configure  # noqa: E402

configure(None, "pf-bench-")

from passages import Passages, rerank, windows  # noqa: E402
from search_corpus import CACHE, DATA, build_lexical, corpus_vectors, load_corpus  # noqa: E402

from paperfeed.search.embedder import Embedder, normalize_text  # noqa: E402
from paperfeed.search.hybrid import FusionParams, fuse, gather  # noqa: E402
from paperfeed.search.query import parse_query  # noqa: E402
from paperfeed.search.vectors import VectorSet  # noqa: E402

SEED = 20260710
PER_KIND = 300
DOCS = 15_000
DEPTH = 100
DENSE_DEPTH = 100  # the dense retriever's own depth (search_quality.py --depths)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")

# Every fused ranking reported, side by side with the two retrievers alone.
# (docs/search.md spells the labels out: untuned linear = 0.5 BM25/max + 0.5 cosine; SciFact-fitted
# = the old default, 0.3 BM25/max + 0.7 cosine; z-score and min-max weigh both normalised scores 0.5.)
VARIANTS: dict[str, FusionParams | None] = {
    "BM25 only": None,
    "dense only": None,
    "z-score (default)": FusionParams(method="zscore"),
    "min-max": FusionParams(method="minmax"),
    "RRF k=60": FusionParams(method="rrf"),
    "untuned linear": FusionParams(method="linear", lexical_weight=0.5),
    "SciFact-fitted linear": FusionParams(method="linear", lexical_weight=0.3),
}
KINDS = ("title", "sentence", "summary", "keywords")
# The z-score fusion's top 100 re-ordered with each paper's best sentence (benchmarks/passages.py).
PASSAGE_ROW = "z-score + best sentence"
WINDOW_ROW = "z-score + best 2-sentence window"
BOTH_ROW = "z-score + best sentence or window"


def _title_key(title: str) -> str:
    return re.sub(r"\W+", " ", normalize_text(title).lower()).strip()


def hf_entries(path: Path = DATA / "hf_daily_papers.jsonl.gz") -> dict[str, dict]:
    """Hugging Face Daily Papers' own record of each paper, by arXiv id."""
    with gzip.open(path, "rt", encoding="utf-8") as f:
        return {e["item"]["paper"]["id"]: e["item"]["paper"] for e in map(json.loads, f)}


def make_queries(papers: list[dict], per_kind: int = PER_KIND, seed: int = SEED) -> list[tuple[str, str, int]]:
    """(kind, query, position of the paper it came from): titles, sentences, then HF summaries and keywords."""
    counts: dict[str, int] = {}
    for p in papers:
        counts[_title_key(p["title"])] = counts.get(_title_key(p["title"]), 0) + 1
    unique = [i for i, p in enumerate(papers) if counts[_title_key(p["title"])] == 1]
    rng = random.Random(seed)
    order = rng.sample(unique, len(unique))
    titles = [("title", normalize_text(papers[i]["title"]), i) for i in order[:per_kind]]
    sentences: list[tuple[str, str, int]] = []
    for i in order[per_kind:]:
        parts = _SENTENCE_END.split(normalize_text(papers[i]["abstract"]))[1:]
        parts = [s for s in parts if 8 <= len(s.split()) <= 40]
        if parts:
            sentences.append(("sentence", rng.choice(parts), i))
        if len(sentences) == per_kind:
            break
    hf = hf_entries()
    described = [i for i in order if hf.get(papers[i]["id"], {}).get("ai_summary")][:per_kind]
    summaries = [("summary", hf[papers[i]["id"]]["ai_summary"], i) for i in described]
    keywords = [("keywords", " ".join(hf[papers[i]["id"]].get("ai_keywords", [])[:5]), i) for i in described
                if hf[papers[i]["id"]].get("ai_keywords")]
    return titles + sentences + summaries + keywords


def rank_metrics(ranked: list[int], target: int) -> tuple[float, float, float]:
    """(reciprocal rank, nDCG@10, recall@10) of the one relevant document."""
    try:
        rank = ranked.index(target) + 1
    except ValueError:
        return 0.0, 0.0, 0.0
    return 1.0 / rank, (1.0 / math.log2(rank + 1) if rank <= 10 else 0.0), float(rank <= 10)


def evaluate(lexical, vectors: VectorSet, embedder: Embedder, queries: list[tuple[str, str, int]],
             passages: dict[str, Passages] | None = None) -> dict[str, dict[str, dict[str, float]]]:
    """{kind: {variant: {"mrr", "ndcg@10", "recall@10"}}} over the queries of each kind (and "all").

    ``passages``: extra rows, each the z-score fusion re-ranked with that row's passage vectors.
    """
    passages = passages or {}
    sums: dict[str, dict[str, np.ndarray]] = {}
    for kind, text, target in queries:
        parsed = parse_query(text)
        qvec = embedder.encode_query(parsed.text)
        pool = gather(lexical, vectors, parsed.words, parsed.phrases, qvec, depth=DEPTH, dense_depth=DENSE_DEPTH)
        for name in [*VARIANTS, *passages]:
            fusion = VARIANTS.get(name)
            if name in passages:
                ranked = [c.pk for c in rerank(fuse(pool), qvec, passages[name])]
            elif fusion is None:
                ranked = [pk for pk, _ in (pool.lexical if name == "BM25 only" else pool.dense)]
            else:
                ranked = [c.pk for c in fuse(pool, fusion)]
            for bucket in (kind, "all"):
                row = sums.setdefault(bucket, {}).setdefault(name, np.zeros(4))
                row += (*rank_metrics(ranked, target), 1.0)
    return {bucket: {name: {"mrr": round(v[0] / v[3], 4), "ndcg@10": round(v[1] / v[3], 4),
                            "recall@10": round(v[2] / v[3], 4)} for name, v in rows.items()}
            for bucket, rows in sums.items()}


def load_collection(docs: int = DOCS) -> tuple[list[dict], np.ndarray]:
    """The first ``docs`` papers of the corpus and their cached vectors."""
    papers = load_corpus()
    matrix = corpus_vectors(papers, progress=True, upto=docs if docs < len(papers) else None)
    return papers[: len(matrix)], matrix


def run(per_kind: int = PER_KIND, docs: int = DOCS, passages: bool = False, windowed: bool = False) -> dict:
    """Index the collection, draw the queries, evaluate every variant (and the passage re-ranks asked for)."""
    papers, matrix = load_collection(docs)
    embedder = Embedder.default()
    queries = make_queries(papers, per_kind)
    abstracts = [p["abstract"] or "" for p in papers]
    rows: dict[str, Passages] = {}
    if passages:
        rows[PASSAGE_ROW] = Passages.of(abstracts, embedder, CACHE, f"arxiv{len(papers)}")
    if windowed:
        rows[WINDOW_ROW] = Passages.of(abstracts, embedder, CACHE, f"arxiv{len(papers)}w2", split=windows)
    if passages and windowed:
        rows[BOTH_ROW] = rows[PASSAGE_ROW] + rows[WINDOW_ROW]
    with tempfile.TemporaryDirectory(dir=CACHE) as tmp:
        lexical = build_lexical(papers, Path(tmp) / "lexical")
        vectors = VectorSet(np.arange(len(papers), dtype=np.int64), matrix.astype(np.float16).astype(np.float32))
        result = evaluate(lexical, vectors, embedder, queries, rows)
        del lexical
    return {"collection": "arXiv known-item", "docs": len(papers), "seed": SEED,
            "queries": {kind: sum(1 for q in queries if q[0] == kind) for kind in KINDS},
            "results": result}


def print_table(report: dict) -> None:
    from rich.console import Console
    from rich.table import Table

    counts = ", ".join(f"{n} {kind}" for kind, n in report["queries"].items())
    table = Table(title=f"arXiv known-item search, first {report['docs']:,} papers: {counts} queries "
                        f"(seed {report['seed']}); MRR / nDCG@10")
    results = report["results"]
    kinds = [k for k in (*KINDS, "all") if k in results]  # a small --docs may hold no HF-described paper
    table.add_column("method")
    for kind in kinds:
        table.add_column(kind, justify="right")
    table.add_column("all R@10", justify="right")
    for name in results["all"]:
        cells = [f"{results[k][name]['mrr']:.3f} / {results[k][name]['ndcg@10']:.3f}" for k in kinds]
        table.add_row(name, *cells, f"{results['all'][name]['recall@10']:.3f}")
    Console(width=200).print(table)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--per-kind", type=int, default=PER_KIND, help="queries of each kind")
    parser.add_argument("--docs", type=int, default=DOCS, help="the first N papers of the corpus")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    parser.add_argument("--passages", action="store_true",
                        help="also the best-sentence re-rank of benchmarks/passages.py (embeds every sentence once)")
    parser.add_argument("--windows", action="store_true",
                        help="also the re-rank by 2-sentence windows (and, with --passages, by both)")
    args = parser.parse_args()
    report = run(args.per_kind, args.docs, args.passages, args.windows)
    if args.json:
        print(json.dumps(report))
    else:
        print_table(report)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
