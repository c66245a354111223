"""Search quality: SciFact (BEIR layout) and the arXiv known-item set, every fusion variant side by side.

Indexes each corpus through the product's own code (paperfeed.search.lexical / vectors /
hybrid), not a copy. For SciFact: nDCG@10 and Recall@100 of BM25 alone, dense alone and
every fusion of ``known_item.VARIANTS`` (the default z-score, min-max, RRF k=60, the untuned
linear fusion of raw-ish scores and the old weights fitted to SciFact). Then the same
variants on the known-item set of ``benchmarks/known_item.py`` (75k arXiv papers).

    python benchmarks/search_quality.py                          # both, as tables
    python benchmarks/search_quality.py --json                   # both, one JSON object
    python benchmarks/search_quality.py --dataset DIR --no-known-item   # any BEIR dir alone
    python benchmarks/search_quality.py --tune                   # the BM25 grid on the TRAIN split
                                                                 # (how the lexical defaults were chosen)
    python benchmarks/search_quality.py --passages               # + the best-sentence re-rank (passages.py)

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
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from djangoenv import configure  # noqa: E402

configure(None, "pf-bench-")

from known_item import PASSAGE_ROW, VARIANTS  # noqa: E402
from passages import Passages, rerank  # noqa: E402

from paperfeed.search.embedder import Embedder, paper_text  # noqa: E402
from paperfeed.search.hybrid import fuse, gather  # noqa: E402
from paperfeed.search.lexical import DEFAULT_PARAMS, LexicalDoc, LexicalIndex, LexicalParams  # noqa: E402
from paperfeed.search.query import parse_query  # noqa: E402
from paperfeed.search.vectors import VectorSet  # noqa: E402

CACHE = REPO / ".benchcache" / "search"
DEPTH = 100
DENSE_DEPTH = 100  # the dense retriever's own depth (--depths)


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
        self.passages: Passages | None = None

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

    def names(self, hits) -> list[str]:
        return [self.ids[h[0] if isinstance(h, tuple) else h.pk] for h in hits]


def evaluate(bench: Bench, queries: dict[str, str], qrels,
             lexical: LexicalParams = DEFAULT_PARAMS) -> dict[str, tuple[float, float]]:
    """nDCG@10 and Recall@100 per variant of ``VARIANTS`` (means over queries)."""
    rows = [*VARIANTS, *([PASSAGE_ROW] if bench.passages else [])]
    sums: dict[str, list[float]] = {name: [0.0, 0.0] for name in rows}
    for qid, text in queries.items():
        parsed = parse_query(text)
        pool = gather(bench.lexical, bench.vectors, parsed.words, parsed.phrases, bench.qvec(text),
                      lexical_params=lexical, depth=DEPTH, dense_depth=DENSE_DEPTH)
        for name in rows:
            fusion = VARIANTS.get(name)
            if name == PASSAGE_ROW:
                ranked = bench.names(rerank(fuse(pool), bench.qvec(text), bench.passages))
            elif fusion is None:
                ranked = bench.names(pool.lexical if name == "BM25 only" else pool.dense)
            else:
                ranked = bench.names(fuse(pool, fusion))
            sums[name][0] += ndcg_at(ranked, qrels[qid])
            sums[name][1] += recall_at(ranked, qrels[qid])
    n = max(len(queries), 1)
    return {name: (s[0] / n, s[1] / n) for name, s in sums.items()}


def tune(bench: Bench, queries, qrels) -> LexicalParams:
    """The BM25 grid on the given (train) queries; fusion needs no tuning (per-query normalisation)."""
    from rich.console import Console
    from rich.table import Table

    grid = [LexicalParams(title_boost=tb, combine="dismax", tie_breaker=tie, drop_stopwords=True,
                          title_phrase_boost=0.0, pair_boost=pair)
            for tb, tie, pair in itertools.product((0.5, 0.75, 1.0, 1.5), (0.1, 0.3, 0.6), (0.0, 0.5, 1.0))]
    # the first round (sum vs dismax, stopwords, title phrase; title boost 1-3) chose dismax, stopwords
    # dropped and showed the title phrase clause makes no difference here; kept for the record:
    grid += [LexicalParams(title_boost=tb, combine="sum", drop_stopwords=stop, title_phrase_boost=phrase)
             for tb, stop, phrase in itertools.product((1.0, 2.0), (True, False), (0.0, 1.0))]
    rows = sorted(((float(np.mean([ndcg_at(bench.names(bench.lexical_hits(t, params)), qrels[q])
                                   for q, t in queries.items()])), params) for params in grid),
                  key=lambda r: -r[0])
    table = Table(title="BM25 on train (top 8 of the grid)")
    for col in ("nDCG@10", "title boost", "combine", "tie", "stopwords dropped", "title phrase", "pairs"):
        table.add_column(col)
    for score, p in rows[:8]:
        table.add_row(f"{score:.4f}", str(p.title_boost), p.combine, str(p.tie_breaker), str(p.drop_stopwords),
                      str(p.title_phrase_boost), str(p.pair_boost))
    Console(stderr=True).print(table)
    return rows[0][1]


def beir_report(dataset: Path, split: str, tune_first: bool, passages: bool = False) -> dict:
    corpus, queries, qrels = load_dataset(dataset, split)
    embedder = Embedder.default()
    with tempfile.TemporaryDirectory() as tmp:
        bench = Bench(corpus, embedder, Path(tmp))
        if passages:
            bench.passages = Passages.of([d.get("text") or "" for d in corpus], embedder, CACHE,
                                         f"beir{len(corpus)}")
        lexical = DEFAULT_PARAMS
        if tune_first:
            _, train_queries, train_qrels = load_dataset(dataset, "train")
            lexical = tune(bench, train_queries, train_qrels)
            print(f"chosen on train: {lexical}", file=sys.stderr)
        result = evaluate(bench, queries, qrels, lexical)
        bench.lexical = None
    return {"dataset": dataset.name, "split": split, "queries": len(queries), "docs": len(corpus),
            "embedder": embedder.fingerprint,
            "results": {name: {"ndcg@10": round(v[0], 4), "recall@100": round(v[1], 4)} for name, v in result.items()}}


def print_beir(report: dict) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"{report['dataset']} {report['split']}: {report['queries']} queries, {report['docs']} docs "
                        f"({report['embedder']})")
    table.add_column("method")
    table.add_column("nDCG@10", justify="right")
    table.add_column("Recall@100", justify="right")
    for name, row in report["results"].items():
        table.add_row(name, f"{row['ndcg@10']:.4f}", f"{row['recall@100']:.4f}")
    Console(width=200).print(table)


def set_depths(lexical: int, dense: int) -> None:
    """Both retrievers' depths here and in the known-item set."""
    import known_item

    global DEPTH, DENSE_DEPTH
    DEPTH, DENSE_DEPTH = lexical, dense
    known_item.DEPTH, known_item.DENSE_DEPTH = lexical, dense


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dataset", type=Path, default=REPO.parent / "shared" / "data" / "scifact")
    parser.add_argument("--split", default="test")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of tables")
    parser.add_argument("--tune", action="store_true", help="grid-search the BM25 defaults on the train split")
    parser.add_argument("--no-known-item", action="store_true", help="skip the arXiv known-item set")
    parser.add_argument("--docs", type=int, default=15_000, help="known-item: the first N papers of the corpus")
    parser.add_argument("--passages", action="store_true",
                        help="also the best-sentence re-rank of benchmarks/passages.py (embeds every sentence once)")
    parser.add_argument("--depths", default=f"{DEPTH},{DENSE_DEPTH}", metavar="LEXICAL,DENSE",
                        help="each retriever's depth (the search service: 300,100)")
    args = parser.parse_args()
    set_depths(*(int(x) for x in args.depths.split(",")))
    started = time.perf_counter()
    report: dict = {"beir": beir_report(args.dataset, args.split, args.tune, args.passages)}
    if not args.no_known_item:
        import known_item

        report["known_item"] = known_item.run(docs=args.docs, passages=args.passages)
    report["seconds"] = round(time.perf_counter() - started, 1)
    if args.json:
        print(json.dumps(report))
        return 0
    print_beir(report["beir"])
    if "known_item" in report:
        import known_item

        known_item.print_table(report["known_item"])
    print(f"{report['seconds']:.0f}s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
