"""Re-scoring the fused pool on SciFact, train and test side by side: feedback and passage variants.

The third attempt at issue 10's 0.75 nDCG@10 (docs/search.md, Quality). Every variant re-orders
the same pool per query: both retrievers' top 100 from the product's own ``hybrid.gather``,
each candidate scored by BM25 and cosine, fused by the product's z-score (the first row). Nothing
is fitted to test; a variant with a parameter is printed for every value on the grid, train beside
test, so the choice can be read off the train column. Each split also gets a 95 % paired bootstrap
interval of the difference from the product: how much of a difference its queries can resolve.

* **dense PRF** (Rocchio): ``q' = q + b * mean(vectors of the fused top k)``, normalised; the
  pool's cosines re-computed with ``q'`` and fused again (no second retrieval).
* **RM3 / Bo1** (lexical PRF): expansion terms from the fused top k (RM3: term frequency in each
  feedback paper weighted by its softmaxed fused score; Bo1: Amati's divergence from the
  collection), the ``m`` best as one tantivy query restricted to the pool (each term boosted by
  its weight, title and abstract as the product's dismax), added as ``beta * z(expansion BM25)``.
* **MaxP** (benchmarks/passages.py): the fused top 100 re-ordered by
  ``z(BM25) + z(max(paper cosine, best passage cosine))``; passages are sentences (float16 or int8
  with a per-vector scale) or windows of two sentences; ``+ dense PRF`` uses ``q'`` for both; the
  BM25 weight off its 0.5 and a soft maximum instead of the max are printed to show how flat it is.

    python benchmarks/rescore.py            # the table (embeds SciFact's windows once: 13 min on a busy 2-core machine)
    python benchmarks/rescore.py --json
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import tempfile
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import numpy as np
import tantivy
from rich.console import Console
from rich.progress import track

sys.path.insert(0, str(Path(__file__).resolve().parent))
import search_quality as sq  # noqa: E402  (configures Django)
from passages import Passages, windows  # noqa: E402

from paperfeed.search.embedder import Embedder  # noqa: E402
from paperfeed.search.hybrid import gather  # noqa: E402
from paperfeed.search.lexical import STOPWORDS, LexicalIndex, analyze  # noqa: E402
from paperfeed.search.query import parse_query  # noqa: E402

STDERR = Console(stderr=True)  # progress never mixes with --json on stdout
HEAD = 100  # the MaxP re-rank depth (the fused head)
Ranker = Callable[[dict], np.ndarray]


def z(x: np.ndarray) -> np.ndarray:
    """The product's z-score: a missing score counts as the lowest present one."""
    present = ~np.isnan(x)
    x = np.where(present, x, x[present].min() if present.any() else 0.0)
    spread = x.std()
    return (x - x.mean()) / spread if spread > 1e-12 else np.zeros_like(x)


class Setup:
    """SciFact indexed by the product, its sentence and window vectors, and term statistics for PRF."""

    def __init__(self, dataset: Path, workdir: Path) -> None:
        self.corpus, _, _ = sq.load_dataset(dataset, "test")
        embedder = Embedder.default()
        self.bench = sq.Bench(self.corpus, embedder, workdir)
        abstracts = [d.get("text") or "" for d in self.corpus]
        label = f"beir{len(self.corpus)}"
        self.sentences = Passages.of(abstracts, embedder, sq.CACHE, label)
        self.windows = Passages.of(abstracts, embedder, sq.CACHE, label + "w2", split=windows)
        self.int8 = _int8(self.sentences)
        self.both = self.sentences + self.windows
        self.terms = [Counter(analyze(f"{d.get('title') or ''} . {d.get('text') or ''}")) for d in self.corpus]
        self.collection = Counter()
        for terms in self.terms:
            self.collection.update(terms)

    def pools(self, dataset: Path, split: str) -> tuple[list[dict], dict]:
        """Per query: the fused pool as arrays (pks, BM25, cosine), its query vector and words."""
        _, queries, qrels = sq.load_dataset(dataset, split)
        rows = []
        for qid, text in queries.items():
            parsed = parse_query(text)
            qv = self.bench.qvec(text)
            pool = gather(self.bench.lexical, self.bench.vectors, parsed.words, parsed.phrases, qv, depth=HEAD)
            pks = np.array(pool.pks, dtype=np.int64)
            bm25 = np.array([pool.bm25.get(p, np.nan) for p in pks.tolist()])
            cos = np.array([pool.cosine.get(p, np.nan) for p in pks.tolist()])
            fused = z(bm25) + z(cos) if len(pks) else np.zeros(0)
            order = np.argsort(-fused, kind="stable")
            rows.append({"qid": qid, "qv": qv, "pks": pks[order], "bm25": bm25[order], "cos": cos[order],
                         "fused": fused[order]})
        return rows, qrels


def _int8(passages: Passages) -> Passages:
    """The same passages stored as int8 with one scale per vector (a quarter of float32, half of float16)."""
    scale = np.abs(passages.matrix).max(axis=1, keepdims=True) / 127.0
    codes = np.round(passages.matrix / scale).astype(np.int8)
    return Passages(passages.starts, codes.astype(np.float32) * scale.astype(np.float32))


def product(row: dict) -> np.ndarray:
    return row["pks"]


def dense_prf(vectors: np.ndarray, k: int, b: float, maxp: Passages | None = None) -> Ranker:
    def rank(row: dict) -> np.ndarray:
        if len(row["pks"]) < 2:
            return row["pks"]
        q = row["qv"] + b * vectors[row["pks"][:k]].mean(axis=0)
        q = q / np.linalg.norm(q)
        if maxp is not None:
            return _maxp(row, maxp, q, vectors)
        cos = vectors[row["pks"]] @ q
        return row["pks"][np.argsort(-(z(row["bm25"]) + z(cos)), kind="stable")]
    return rank


def maxp(passages: Passages, weight: float = 0.5, tau: float = 0.0, depth: int = HEAD) -> Ranker:
    return lambda row: (_maxp(row, passages, row["qv"], weight=weight, tau=tau, depth=depth)
                        if len(row["pks"]) >= 2 else row["pks"])


def _maxp(row: dict, passages: Passages, q: np.ndarray, vectors: np.ndarray | None = None, *,
          weight: float = 0.5, tau: float = 0.0, depth: int = HEAD) -> np.ndarray:
    """benchmarks/passages.rerank on the arrays; with ``vectors``, the paper cosines of ``q`` are computed.

    ``weight`` is BM25's share (the product's 0.5); ``tau`` > 0 replaces the max over the paper and
    its passages by a soft maximum, ``tau * log(sum(exp(cosine / tau)))``.
    """
    head = row["pks"][:depth]
    cos = row["cos"][:depth] if vectors is None else vectors[head] @ q
    if tau > 0:
        dense = np.array([_soft_max(np.append(passages.matrix[passages.starts[d]:passages.starts[d + 1]] @ q, c), tau)
                          for d, c in zip(head.tolist(), cos.tolist(), strict=True)])
    else:
        dense = np.fmax(cos, passages.best(q, head.tolist()))
    fused = weight * z(row["bm25"][:depth]) + (1 - weight) * z(dense)
    return np.concatenate([head[np.argsort(-fused, kind="stable")], row["pks"][depth:]])


def _soft_max(scores: np.ndarray, tau: float) -> float:
    top = float(scores.max())
    return top + tau * math.log(float(np.exp((scores - top) / tau).sum()))


def expansion(setup: Setup, row: dict, k: int, m: int, kind: str) -> dict[str, float]:
    """The ``m`` best expansion terms of the fused top ``k`` and their weights (summing to 1)."""
    feedback = row["pks"][:k].tolist()
    scores: Counter = Counter()
    if kind == "rm3":
        weights = np.exp(row["fused"][:k] - row["fused"][:k].max())
        weights /= weights.sum()
        for pk, w in zip(feedback, weights.tolist(), strict=True):
            length = sum(setup.terms[pk].values()) or 1
            for term, tf in setup.terms[pk].items():
                scores[term] += w * tf / length
    else:  # Bo1
        n = len(setup.terms)
        tfx: Counter = Counter()
        for pk in feedback:
            tfx.update(setup.terms[pk])
        for term, x in tfx.items():
            pn = setup.collection[term] / n
            scores[term] = x * math.log2((1 + pn) / pn) + math.log2(1 + pn)
    best = [(t, s) for t, s in scores.most_common() if t not in STOPWORDS and len(t) > 2 and not t.isdigit()][:m]
    total = sum(s for _, s in best) or 1.0
    return {t: s / total for t, s in best}


def lexical_prf(setup: Setup, k: int, m: int, beta: float, kind: str) -> Ranker:
    lexical = setup.bench.lexical

    def rank(row: dict) -> np.ndarray:
        pks = row["pks"]
        terms = expansion(setup, row, k, m, kind) if len(pks) >= 2 else {}
        if not terms:
            return pks
        clauses = [(tantivy.Occur.Should, tantivy.Query.boost_query(tantivy.Query.disjunction_max_query(
            [tantivy.Query.term_query(lexical.schema, f, t) for f in ("title", "abstract")], 0.3), 10.0 * w))
            for t, w in terms.items()]
        only = tantivy.Query.const_score_query(tantivy.Query.boolean_query(
            [(tantivy.Occur.Should, tantivy.Query.term_query(lexical.schema, "pk", int(p))) for p in pks]), 0.0)
        hits = dict(lexical.search(LexicalIndex.combine(tantivy.Query.boolean_query(clauses), only), len(pks),
                                   count=False)[0])
        extra = np.array([hits.get(int(p), 0.0) for p in pks])
        return pks[np.argsort(-(row["fused"] + beta * z(extra)), kind="stable")]
    return rank


def variants(setup: Setup) -> dict[str, Ranker]:
    vectors = setup.bench.vectors.matrix
    out: dict[str, Ranker] = {"z-score (the product)": product}
    for k in (3, 5, 10):
        for b in (0.25, 0.5, 1.0):
            out[f"dense PRF k={k} b={b}"] = dense_prf(vectors, k, b)
    for kind in ("rm3", "bo1"):
        for k in (3, 10):
            for m, beta in ((10, 0.25), (20, 0.25), (20, 0.5)):
                out[f"{kind.upper()} k={k} m={m} beta={beta}"] = lexical_prf(setup, k, m, beta, kind)
    out["MaxP sentences int8, top 100"] = maxp(setup.int8)
    passage_sets = {"sentences": setup.sentences, "2-sentence windows": setup.windows,
                    "sentences + windows": setup.both}
    for label, passages in passage_sets.items():
        for depth in (30, 50, 100, 200):
            out[f"MaxP {label}, top {depth}"] = maxp(passages, depth=depth)
    for weight in (0.4, 0.45, 0.55, 0.6):
        out[f"MaxP sentences, BM25 weight {weight} (not 0.5)"] = maxp(setup.sentences, weight=weight)
    for tau in (0.01, 0.02, 0.05):
        out[f"MaxP sentences, soft maximum tau={tau}"] = maxp(setup.sentences, tau=tau)
    for k, b in ((3, 0.25), (5, 0.5)):
        out[f"MaxP sentences + dense PRF k={k} b={b}"] = dense_prf(vectors, k, b, setup.sentences)
    return out


def evaluate(rows: list[dict], qrels: dict, rank: Ranker, ids: list[str]) -> np.ndarray:
    """nDCG@10 of every query."""
    return np.array([sq.ndcg_at([ids[p] for p in rank(r).tolist()], qrels[r["qid"]]) for r in rows])


def paired_interval(scores: np.ndarray, reference: np.ndarray, draws: int = 2000) -> tuple[float, float]:
    """95 % paired bootstrap interval of the mean difference (seeded: the same table every run)."""
    rng = np.random.default_rng(20261202)
    picks = rng.integers(0, len(scores), size=(draws, len(scores)))
    means = (scores - reference)[picks].mean(axis=1)
    return float(np.percentile(means, 2.5)), float(np.percentile(means, 97.5))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dataset", type=Path, default=sq.REPO.parent / "shared" / "data" / "scifact")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        setup = Setup(args.dataset, Path(tmp))
        splits = {split: setup.pools(args.dataset, split) for split in ("train", "test")}
        scores = {name: {split: evaluate(rows, qrels, rank, setup.bench.ids) for split, (rows, qrels) in splits.items()}
                  for name, rank in track(variants(setup).items(), description="variants", console=STDERR)}
        setup.bench.lexical = None
    reference = scores["z-score (the product)"]
    results = {name: {**{split: round(float(s[split].mean()), 4) for split in s},
                      **{f"{split}_delta_95": [round(x, 4) for x in paired_interval(s[split], reference[split])]
                         for split in s}}
               for name, s in scores.items()}
    if args.json:
        print(json.dumps({"dataset": args.dataset.name, "ndcg@10": results}))
        return 0
    print_table(results)
    return 0


def print_table(results: dict) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title="SciFact nDCG@10: re-scoring the fused pool (train 809, test 300 claims)")
    for col in ("variant", "train", "test", "train - product, 95 %", "test - product, 95 %"):
        table.add_column(col, justify="left" if col == "variant" else "right")
    for name, row in results.items():
        intervals = [f"{row[f'{split}_delta_95'][0]:+.4f} .. {row[f'{split}_delta_95'][1]:+.4f}"
                     for split in ("train", "test")]
        table.add_row(name, f"{row['train']:.4f}", f"{row['test']:.4f}", *intervals)
    Console(width=200).print(table)


if __name__ == "__main__":
    raise SystemExit(main())
