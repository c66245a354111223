"""Search quality on a BEIR-layout dataset: BM25 alone, dense alone, RRF, and paperfeed's hybrid.

Indexes the corpus through the product's own code (paperfeed.search.lexical / vectors /
hybrid), not a copy, and prints nDCG@10 and Recall@100 per method.

    python benchmarks/search_quality.py                          # ../shared/data/scifact, test split
    python benchmarks/search_quality.py --dataset DIR --json     # any BEIR dir, one JSON object
    python benchmarks/search_quality.py --tune                   # grid on the TRAIN split (how the
                                                                 # shipped defaults were chosen)

Layout: corpus.jsonl[.gz] (_id, title, text); queries_test.jsonl or queries.jsonl; qrels_test.tsv
or qrels/test.tsv (query-id, corpus-id, score; a header line is skipped). Corpus vectors are
cached in .benchcache/search/ keyed by the embedder fingerprint.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import itertools
import json
import math
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from djangoenv import configure  # noqa: E402

configure(None, "pf-bench-")

from paperfeed.search.embedder import Embedder, paper_text  # noqa: E402
from paperfeed.search.hybrid import DEFAULT_FUSION, FusionParams, fuse  # noqa: E402
from paperfeed.search.lexical import DEFAULT_PARAMS, LexicalDoc, LexicalIndex, LexicalParams  # noqa: E402
from paperfeed.search.query import parse_query  # noqa: E402
from paperfeed.search.vectors import VectorSet  # noqa: E402

CACHE = REPO / ".benchcache" / "search"
DEPTH = 100


def _open(path: Path):
    return gzip.open(path, "rt", encoding="utf-8") if path.suffix == ".gz" else path.open(encoding="utf-8")


def _first(base: Path, *names: str) -> Path:
    for name in names:
        if (base / name).exists():
            return base / name
    raise SystemExit(f"{base}: none of {', '.join(names)} found")


def load_dataset(base: Path, split: str) -> tuple[list[dict], dict[str, str], dict[str, dict[str, int]]]:
    with _open(_first(base, "corpus.jsonl.gz", "corpus.jsonl")) as f:
        corpus = [json.loads(line) for line in f if line.strip()]
    with _open(_first(base, f"queries_{split}.jsonl", "queries.jsonl")) as f:
        queries = {str(q["_id"]): q["text"] for q in map(json.loads, filter(str.strip, f))}
    qrels: dict[str, dict[str, int]] = {}
    with _open(_first(base, f"qrels_{split}.tsv", f"qrels/{split}.tsv")) as f:
        for line in f:
            parts = line.strip().split("\t")
            if len(parts) < 3 or not parts[2].lstrip("-").isdigit():
                continue  # header
            qrels.setdefault(parts[0], {})[parts[1]] = int(parts[2])
    queries = {qid: text for qid, text in queries.items() if qid in qrels}
    return corpus, queries, qrels


def ndcg_at(ranked: list[str], rels: dict[str, int], k: int = 10) -> float:
    dcg = sum(rels.get(d, 0) / math.log2(i + 2) for i, d in enumerate(ranked[:k]) if rels.get(d, 0) > 0)
    ideal = sorted((r for r in rels.values() if r > 0), reverse=True)[:k]
    idcg = sum(r / math.log2(i + 2) for i, r in enumerate(ideal))
    return dcg / idcg if idcg else 0.0


def recall_at(ranked: list[str], rels: dict[str, int], k: int = 100) -> float:
    relevant = {d for d, r in rels.items() if r > 0}
    return len(relevant & set(ranked[:k])) / len(relevant) if relevant else 0.0


class Bench:
    """The corpus indexed by paperfeed's lexical index and vector set."""

    def __init__(self, corpus: list[dict], embedder: Embedder, workdir: Path) -> None:
        self.ids = [str(d["_id"]) for d in corpus]
        self.lexical = LexicalIndex.create(workdir / "lexical")
        self.lexical.write(LexicalDoc(pk=i, title=d.get("title") or "", abstract=d.get("text") or "")
                           for i, d in enumerate(corpus))
        vectors = self._vectors(corpus, embedder)
        self.vectors = VectorSet(np.arange(len(corpus), dtype=np.int64), vectors.astype(np.float16).astype(np.float32))
        self.embedder = embedder
        self._qvec: dict[str, np.ndarray] = {}

    @staticmethod
    def _vectors(corpus: list[dict], embedder: Embedder) -> np.ndarray:
        key = hashlib.sha256(("\n".join(str(d["_id"]) for d in corpus) + embedder.fingerprint).encode()).hexdigest()
        path = CACHE / f"beir_{len(corpus)}_{key[:16]}.npy"
        if path.exists():
            return np.load(path)
        texts = [paper_text(d.get("title"), d.get("text")) for d in corpus]
        started = time.perf_counter()
        vectors = embedder.encode(texts, batch_size=32, progress=True)
        print(f"embedded {len(texts)} docs in {time.perf_counter() - started:.0f}s", file=sys.stderr)
        CACHE.mkdir(parents=True, exist_ok=True)
        np.save(path, vectors)
        return vectors

    def qvec(self, text: str) -> np.ndarray:
        if text not in self._qvec:
            self._qvec[text] = self.embedder.encode_query(text)
        return self._qvec[text]

    def lexical_hits(self, text: str, params: LexicalParams) -> list[tuple[int, float]]:
        parsed = parse_query(text)
        q = self.lexical.text_query(parsed.words, parsed.phrases, params)
        return self.lexical.search(q, DEPTH)[0] if q is not None else []

    def dense_hits(self, text: str) -> list[tuple[int, float]]:
        return self.vectors.search(self.qvec(text), DEPTH)

    def names(self, hits) -> list[str]:
        return [self.ids[h[0] if isinstance(h, tuple) else h.pk] for h in hits]


def evaluate(bench: Bench, queries: dict[str, str], qrels, lexical: LexicalParams, fusion: FusionParams,
             cache: dict | None = None) -> dict[str, tuple[float, float]]:
    """nDCG@10 and Recall@100 for bm25 / dense / rrf / hybrid (means over queries)."""
    cache = {} if cache is None else cache
    sums: dict[str, list[float]] = {m: [0.0, 0.0] for m in ("bm25", "dense", "rrf", "hybrid")}
    for qid, text in queries.items():
        lkey = (text, lexical)
        if lkey not in cache:
            cache[lkey] = bench.lexical_hits(text, lexical)
        if text not in cache:
            cache[text] = bench.dense_hits(text)
        lex, dense = cache[lkey], cache[text]
        runs = {
            "bm25": bench.names(lex),
            "dense": bench.names(dense),
            "rrf": bench.names(fuse(lex, dense, bench.vectors, bench.qvec(text), replace(fusion, method="rrf"))),
            "hybrid": bench.names(fuse(lex, dense, bench.vectors, bench.qvec(text), fusion)),
        }
        for method, ranked in runs.items():
            sums[method][0] += ndcg_at(ranked, qrels[qid])
            sums[method][1] += recall_at(ranked, qrels[qid])
    n = max(len(queries), 1)
    return {m: (s[0] / n, s[1] / n) for m, s in sums.items()}


def tune(bench: Bench, queries, qrels) -> tuple[LexicalParams, FusionParams]:
    """Grid search on the given (train) queries: BM25 choices first, then the fusion."""
    from rich.console import Console
    from rich.table import Table

    console = Console(stderr=True)
    cache: dict = {}
    lex_rows = []
    grid = [LexicalParams(title_boost=tb, combine="dismax", tie_breaker=tie, drop_stopwords=True,
                          title_phrase_boost=0.0, pair_boost=pair)
            for tb, tie, pair in itertools.product((0.5, 0.75, 1.0, 1.5), (0.1, 0.3, 0.6), (0.0, 0.5, 1.0))]
    # the first round (sum vs dismax, stopwords, title phrase; title boost 1-3) chose dismax, stopwords
    # dropped and showed the title phrase clause makes no difference here; kept for the record:
    grid += [LexicalParams(title_boost=tb, combine="sum", drop_stopwords=stop, title_phrase_boost=phrase)
             for tb, stop, phrase in itertools.product((1.0, 2.0), (True, False), (0.0, 1.0))]
    for params in grid:
        scores = [ndcg_at(bench.names(cache.setdefault((t, params), bench.lexical_hits(t, params))), qrels[q])
                  for q, t in queries.items()]
        lex_rows.append((float(np.mean(scores)), params))
    lex_rows.sort(key=lambda r: -r[0])
    table = Table(title="BM25 on train (top 8 of the grid)")
    for col in ("nDCG@10", "title boost", "combine", "tie", "stopwords dropped", "title phrase", "pairs"):
        table.add_column(col)
    for score, p in lex_rows[:8]:
        table.add_row(f"{score:.4f}", str(p.title_boost), p.combine, str(p.tie_breaker), str(p.drop_stopwords),
                      str(p.title_phrase_boost), str(p.pair_boost))
    console.print(table)
    best_lex = lex_rows[0][1]
    fusion_rows = []
    for w, norm, cos_norm, (prf, prf_k) in itertools.product(
            np.round(np.arange(0.1, 0.95, 0.05), 2), ("max", "minmax"), ("minmax", "raw"),
            ((0.0, 3), (0.5, 3), (1.0, 3), (0.5, 5), (1.0, 5))):
        fusion = FusionParams(lexical_weight=float(w), norm=norm, cos_norm=cos_norm, prf_weight=prf, prf_k=prf_k)
        result = evaluate(bench, queries, qrels, best_lex, fusion, cache)
        fusion_rows.append((result["hybrid"][0], fusion))
    fusion_rows.sort(key=lambda r: -r[0])
    table = Table(title="Hybrid (linear fusion) on train (top 8 of the grid)")
    for col in ("nDCG@10", "BM25 weight", "BM25 norm", "cosine norm", "PRF weight", "PRF k"):
        table.add_column(col)
    for score, f in fusion_rows[:8]:
        table.add_row(f"{score:.4f}", f"{f.lexical_weight:.2f}", f.norm, f.cos_norm, str(f.prf_weight), str(f.prf_k))
    console.print(table)
    return best_lex, fusion_rows[0][1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dataset", type=Path, default=REPO.parent / "shared" / "data" / "scifact")
    parser.add_argument("--split", default="test")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    parser.add_argument("--tune", action="store_true", help="grid-search the defaults on the train split")
    args = parser.parse_args()
    started = time.perf_counter()
    corpus, queries, qrels = load_dataset(args.dataset, args.split)
    embedder = Embedder.default()
    with tempfile.TemporaryDirectory() as tmp:
        bench = Bench(corpus, embedder, Path(tmp))
        lexical, fusion = DEFAULT_PARAMS, DEFAULT_FUSION
        if args.tune:
            _, train_queries, train_qrels = load_dataset(args.dataset, "train")
            lexical, fusion = tune(bench, train_queries, train_qrels)
            print(f"chosen on train: {lexical}\n                 {fusion}", file=sys.stderr)
        result = evaluate(bench, queries, qrels, lexical, fusion)
        bench.lexical = None
    elapsed = time.perf_counter() - started
    if args.json:
        print(json.dumps({"dataset": str(args.dataset), "split": args.split, "queries": len(queries),
                          "docs": len(corpus), "embedder": embedder.fingerprint, "seconds": round(elapsed, 1),
                          **{m: {"ndcg@10": round(v[0], 4), "recall@100": round(v[1], 4)}
                             for m, v in result.items()}}))
        return 0
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"{args.dataset.name} {args.split}: {len(queries)} queries, {len(corpus)} docs "
                        f"({embedder.fingerprint})")
    table.add_column("method")
    table.add_column("nDCG@10", justify="right")
    table.add_column("Recall@100", justify="right")
    labels = {"bm25": "BM25 (tantivy)", "dense": "dense (MiniLM int8)", "rrf": "RRF (k=60)",
              "hybrid": f"hybrid (linear, w={fusion.lexical_weight:.2f})"}
    for method, (ndcg, rec) in result.items():
        table.add_row(labels[method], f"{ndcg:.4f}", f"{rec:.4f}")
    Console().print(table)
    print(f"{elapsed:.0f}s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
