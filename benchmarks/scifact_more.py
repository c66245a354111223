"""SciFact, the fourth attempt at 0.75 nDCG@10: term proximity, the dense model's document side, a third signal.

Issue 10 point 8. What the first three attempts left untried (docs/search.md, Quality), each
measured on train and test side by side, every parameter chosen on TRAIN only, with a 95 %
paired bootstrap interval of each split's difference from the product (``rescore.paired_interval``):

* **term proximity** (a sequential dependence model, Metzler & Croft 2005): the query's adjacent
  content-word pairs as ordered phrases (slop 0 or 1) and as unordered windows (slop 8: tantivy
  lets a phrase's terms swap places at a cost of 2) beside the product's BM25 query,
  ``BM25 + w_o * sum(ordered) + w_u * sum(windows)``, each pair a dismax over title and abstract
  with the product's field boosts; also the product's own ``LexicalParams.pair_boost`` knob
  (pairs at slop 2, off by default);
* **the dense model's document side**: papers embedded at 256 tokens instead of 224, and a
  second vector per paper of its title and the *tail* of its abstract (the last tokens that fit
  224; head+tail MaxP: a paper scores by the better of its two vectors; 82 % of SciFact's
  abstracts are longer than 224 tokens);
* **a third signal**: wordllama's static 256-d embeddings (the registry package ships its
  weights; ``--wordllama`` after ``pip install wordllama==0.4.0.post1``), z-scored and added
  with weight ``beta``;
* **combinations** with the passage evidence of benchmarks/rescore.py (MaxP over sentences,
  2-sentence windows or both, re-ranking the fused top 30/50/100).

Every signal is computed for every paper of the collection per query (5,183 papers: exact BM25
of each lexical variant from tantivy, exact cosines), so a variant's pool is what the product's
``hybrid.gather`` would build with it: the top 100 of its lexical score among papers that match,
the top 100 of its dense score, both scores exact for the union, fused by the product's z-score
(0.5 each). The first row reproduces the product (0.7385 test / 0.7344 train).

Selection is staged, on train alone: (A) the lexical grid with the product's dense side; (B) the
three best lexical rows of A and the product's, crossed with every dense side, third-signal
weight and passage re-rank. The pick is the best train row of A and B together.

    python benchmarks/scifact_more.py                     # the tables (embeds the 256-token and tail vectors once)
    python benchmarks/scifact_more.py --wordllama --json  # + the third signal; every row as one JSON object
    python benchmarks/scifact_more.py --wordllama --known-item --cost   # docs/search.md's run: + the pick on
        # arXiv known-item (on the 224 vectors: the arXiv papers have no 256-token or tail vectors) and its
        # lexical query's CPU at 75k beside the product's

The table and what it shows: docs/search.md, Quality, "Proximity, the document side and a third signal".
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import tantivy
from rich.console import Console
from rich.progress import track
from tokenizers import Tokenizer

sys.path.insert(0, str(Path(__file__).resolve().parent))
import search_quality as sq  # noqa: E402  (configures Django)
from passages import Passages, windows  # noqa: E402
from rescore import paired_interval, z  # noqa: E402

from paperfeed.search.embedder import MODEL_DIR, TOKENIZER_FILE, Embedder, normalize_text, paper_text  # noqa: E402
from paperfeed.search.lexical import (  # noqa: E402
    DEFAULT_PARAMS,
    MAX_TERMS,
    STOPWORDS,
    LexicalIndex,
    LexicalParams,
    analyze,
)
from paperfeed.search.query import parse_query  # noqa: E402

STDERR = Console(stderr=True)  # progress never mixes with --json on stdout
DEPTH = 100  # each retriever's candidates, as the product
WINDOW_SLOP = 8
MAX_PAIRS = 16  # as the product's pair clauses
ORDERED = (0, 1)  # slops of the ordered pairs
WEIGHTS = (0.0, 0.05, 0.1, 0.2, 0.4)  # w_o and w_u
PAIR_BOOSTS = (0.1, 0.25, 0.5, 1.0)  # the product's pair_boost knob
BETAS = (0.0, 0.1, 0.2, 0.3, 0.5)  # the third signal's weight
HEADS = (30, 50, 100)  # MaxP re-rank depths
PRODUCT_LEXICAL = "BM25 (the product)"


@dataclass(frozen=True)
class Variant:
    """One ranking: lexical side, dense side, third-signal weight, passage re-rank (None or kind, depth)."""

    lexical: str = PRODUCT_LEXICAL
    dense: str = "224"
    beta: float = 0.0
    passages: str | None = None
    head: int = 0

    @property
    def name(self) -> str:
        parts = [self.lexical, f"dense {self.dense}"]
        if self.beta:
            parts.append(f"wordllama beta={self.beta}")
        if self.passages:
            parts.append(f"MaxP {self.passages} top {self.head}")
        return " | ".join(parts)


# -- lexical signals --------------------------------------------------------------------------


def _full(lexical: LexicalIndex, query: tantivy.Query | None, n: int) -> np.ndarray:
    """The query's exact score for every paper (0 where it does not match)."""
    out = np.zeros(n, dtype=np.float32)
    if query is not None:
        hits, _ = lexical.search(query, n, count=False)
        if hits:
            pks, scores = zip(*hits, strict=True)
            out[list(pks)] = scores
    return out


def pair_query(lexical: LexicalIndex, words: list[str], slop: int) -> tantivy.Query | None:
    """Adjacent content-word pairs as phrases with ``slop``, each a dismax over the product's fields, summed."""
    content = [t for t in analyze(" ".join(words)) if t not in STOPWORDS][:MAX_TERMS]
    pairs = [(a, b) for a, b in dict.fromkeys(zip(content, content[1:], strict=False)) if a != b][:MAX_PAIRS]
    if not pairs:
        return None
    fields = (("title", DEFAULT_PARAMS.title_boost), ("abstract", DEFAULT_PARAMS.abstract_boost))
    clauses = [tantivy.Query.disjunction_max_query(
        [tantivy.Query.boost_query(tantivy.Query.phrase_query(lexical.schema, f, [a, b], slop=slop), boost)
         for f, boost in fields], DEFAULT_PARAMS.tie_breaker) for a, b in pairs]
    return tantivy.Query.boolean_query([(tantivy.Occur.Should, q) for q in clauses])


def lexical_signals(lexical: LexicalIndex, text: str, n: int) -> dict[str, np.ndarray]:
    """The product's BM25 and the proximity components, each over every paper."""
    parsed = parse_query(text)
    bm25 = _full(lexical, lexical.text_query(parsed.words, parsed.phrases), n)
    with_pairs = _full(lexical, lexical.text_query(parsed.words, parsed.phrases, LexicalParams(pair_boost=1.0)), n)
    out = {"bm25": bm25, "pairs": with_pairs - bm25, f"window{WINDOW_SLOP}":
           _full(lexical, pair_query(lexical, parsed.words, WINDOW_SLOP), n)}
    for slop in ORDERED:
        out[f"ordered{slop}"] = _full(lexical, pair_query(lexical, parsed.words, slop), n)
    return out


def phrase_holders(lexical: LexicalIndex, text: str) -> np.ndarray | None:
    """A query with quoted phrases lets only papers holding them be dense candidates (``hybrid.gather``)."""
    phrases = parse_query(text).phrases
    query = lexical.text_query([], phrases) if phrases else None
    return None if query is None else np.array(lexical.matching_pks(query), dtype=np.int64)


def lexical_grid() -> dict[str, tuple[tuple[str, float], ...]]:
    """Every lexical variant as weights of the signals above (BM25 always at 1)."""
    grid: dict[str, tuple[tuple[str, float], ...]] = {PRODUCT_LEXICAL: ()}
    for boost in PAIR_BOOSTS:
        grid[f"BM25 + pair_boost {boost} (product knob, slop 2)"] = (("pairs", boost),)
    for slop, w_o, w_u in itertools.product(ORDERED, WEIGHTS, WEIGHTS):
        if w_o or w_u:
            grid[f"SDM ordered slop {slop} w={w_o}, window {WINDOW_SLOP} w={w_u}"] = (
                (f"ordered{slop}", w_o), (f"window{WINDOW_SLOP}", w_u))
    return grid


# -- dense signals ----------------------------------------------------------------------------


def tail_texts(corpus: list[dict], embedder: Embedder) -> dict[int, str]:
    """Title + the abstract's last tokens that fit the embedder's length, for papers the head vector cuts."""
    tokenizer = Tokenizer.from_file(str(MODEL_DIR / TOKENIZER_FILE))
    tokenizer.no_truncation()
    out = {}
    for i, d in enumerate(corpus):
        title = normalize_text(d.get("title")).rstrip(" .")
        abstract = normalize_text(d.get("text"))
        if len(tokenizer.encode(paper_text(title, abstract)).ids) <= embedder.max_seq_len:
            continue
        encoding = tokenizer.encode(abstract, add_special_tokens=False)
        # [CLS] title . tail [SEP]
        room = max(32, embedder.max_seq_len - 3 - len(tokenizer.encode(title, add_special_tokens=False).ids))
        start = encoding.offsets[max(0, len(encoding.ids) - room)][0]
        cut = abstract.find(" ", start) if start and abstract[start - 1] != " " else start  # a whole word
        cut = start if cut < 0 else cut
        out[i] = paper_text(title, abstract[cut:].strip())
    return out


def cached(label: str, texts: list[str], embedder: Embedder) -> np.ndarray:
    """``texts`` embedded (float16 in .benchcache/search/, keyed by the texts and the embedder)."""
    key = hashlib.sha256(("\n".join(texts) + embedder.fingerprint).encode()).hexdigest()[:16]
    path = sq.CACHE / f"scifact_{label}_{len(texts)}_{key}.npy"
    if not path.exists():
        started = time.process_time()
        matrix = embedder.encode(texts, batch_size=32, progress=True)
        print(f"embedded {len(texts)} {label} texts: {time.process_time() - started:.0f} s CPU", file=sys.stderr)
        sq.CACHE.mkdir(parents=True, exist_ok=True)
        np.save(path, matrix.astype(np.float16))
    return np.load(path).astype(np.float32)


def dense_sides(corpus: list[dict], head224: np.ndarray) -> dict[str, np.ndarray | tuple[np.ndarray, ...]]:
    """Matrices per dense side; a tuple is several vectors per paper, a paper scoring by its best."""
    embedder = Embedder.default()
    long256 = Embedder(max_seq_len=256)
    head256 = sq.Bench._vectors(corpus, long256).astype(np.float16).astype(np.float32)  # as the product stores them
    tails = tail_texts(corpus, embedder)
    tail = head224.copy()
    tail[list(tails)] = cached("tail224", list(tails.values()), embedder)
    return {"224": head224, "256": head256, "224 + tail": (head224, tail), "256 + tail": (head256, tail)}


def wordllama_matrix(texts: list[str]) -> tuple[object, np.ndarray]:
    """wordllama (l2_supercat, 256-d) from the weights its package ships; L2-normalised paper vectors."""
    import wordllama

    # The package looks for its tokenizer under "tokenizer/" but ships it in "tokenizers/", its
    # cache layout: pointing the cache at the package finds both files with no download.
    model = wordllama.WordLlama.load(cache_dir=Path(wordllama.__file__).parent, disable_download=True)
    return model, model.embed(texts, norm=True).astype(np.float32)


def lexical_score(row: Row, weights: tuple[tuple[str, float], ...]) -> np.ndarray:
    """BM25 + the weighted proximity signals of one lexical variant."""
    out = row.lexical["bm25"]
    for signal, weight in weights:
        if weight:
            out = out + weight * row.lexical[signal]
    return out


# -- rankings ---------------------------------------------------------------------------------


@dataclass
class Row:
    """One query: its vector and every signal over every paper."""

    qid: str
    qv: np.ndarray
    lexical: dict[str, np.ndarray]
    dense: dict[str, np.ndarray]
    third: np.ndarray | None
    allowed: np.ndarray | None = None  # a quoted phrase: the papers holding it, the only dense candidates
    best: dict[str, np.ndarray] = field(default_factory=dict)  # per passage kind: every paper's best passage cosine


def best_passages(passages: dict[str, Passages], qv: np.ndarray) -> dict[str, np.ndarray]:
    """Every paper's best passage cosine per passage kind (NaN without passages), one product per kind."""
    out = {}
    for kind, p in passages.items():
        has = p.starts[1:] > p.starts[:-1]
        best = np.full(len(has), np.nan)
        if has.any():
            best[has] = np.maximum.reduceat(p.matrix @ qv, p.starts[:-1][has])
        out[kind] = best
    return out


def _top(scores: np.ndarray, k: int, among: np.ndarray | None = None) -> np.ndarray:
    """The ``k`` best papers (of ``among``), best first, ties in index order (as tantivy breaks them)."""
    idx = np.arange(len(scores)) if among is None else among
    if len(idx) > k:
        idx = idx[np.argpartition(-scores[idx], k - 1)[:k]]
    return idx[np.lexsort((idx, -scores[idx]))]


def fused(row: Row, lexical: np.ndarray, dense: str, beta: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The product's pool and z-score fusion (+ ``beta`` z(third signal)): (pool best first, its BM25, cosine).

    ``dense`` "none": the lexical top list alone.
    """
    if dense == "none":
        order = _top(lexical, DEPTH, np.flatnonzero(lexical > 0))
        return order, lexical[order], np.zeros(len(order))
    cosine = row.dense[dense]
    pool = np.array(list(dict.fromkeys([*_top(lexical, DEPTH, np.flatnonzero(lexical > 0)).tolist(),
                                        *_top(cosine, DEPTH, row.allowed).tolist()])), dtype=np.int64)
    if not len(pool):
        return pool, np.zeros(0), np.zeros(0)
    score = 0.5 * z(lexical[pool].astype(np.float64)) + 0.5 * z(cosine[pool].astype(np.float64))
    if beta:
        score = score + beta * z(row.third[pool].astype(np.float64))
    order = pool[np.argsort(-score, kind="stable")]
    return order, lexical[order], cosine[order]


def final(row: Row, ranked: tuple[np.ndarray, np.ndarray, np.ndarray], v: Variant) -> np.ndarray:
    """The variant's ranking from its fused pool: rescore.py's MaxP re-rank of the top ``v.head`` if it has one,
    z(BM25) + z(max(cosine, best passage)) (+ ``beta`` z(third signal))."""
    order, bm25, cosine = ranked
    if not v.passages or len(order) < 2:
        return order
    top = order[:v.head]
    dense = np.fmax(cosine[:v.head].astype(np.float64), row.best[v.passages][top])
    score = 0.5 * z(bm25[:v.head].astype(np.float64)) + 0.5 * z(dense)
    if v.beta:
        score = score + v.beta * z(row.third[top].astype(np.float64))
    return np.concatenate([top[np.argsort(-score, kind="stable")], order[v.head:]])


class Study:
    """SciFact indexed by the product, every signal of every query of both splits, and the scores."""

    def __init__(self, dataset: Path, workdir: Path, third: bool) -> None:
        self.corpus, _, _ = sq.load_dataset(dataset, "test")
        embedder = Embedder.default()
        self.bench = sq.Bench(self.corpus, embedder, workdir)
        self.dense = dense_sides(self.corpus, self.bench.vectors.matrix)
        self.third = wordllama_matrix([paper_text(d.get("title"), d.get("text")) for d in self.corpus]) if third else None
        abstracts = [d.get("text") or "" for d in self.corpus]
        label = f"beir{len(self.corpus)}"
        sentences = Passages.of(abstracts, embedder, sq.CACHE, label)
        windowed = Passages.of(abstracts, embedder, sq.CACHE, label + "w2", split=windows)
        self.passages = {"sentences": sentences, "windows": windowed, "sentences + windows": sentences + windowed}
        self.splits = {split: self._rows(dataset, split) for split in ("train", "test")}
        self.bench.lexical = None  # tantivy's files closed before the directory goes
        self.grid = lexical_grid()

    def _rows(self, dataset: Path, split: str) -> tuple[list[Row], dict]:
        _, queries, qrels = sq.load_dataset(dataset, split)
        rows = []
        n = len(self.corpus)
        for qid, text in track(queries.items(), description=f"signals ({split})", console=STDERR):
            qv = self.bench.qvec(text)
            dense = {name: (m @ qv if isinstance(m, np.ndarray) else np.max([x @ qv for x in m], axis=0))
                     for name, m in self.dense.items()}
            third = None
            if self.third is not None:
                model, matrix = self.third
                third = matrix @ model.embed([text], norm=True)[0]
            rows.append(Row(qid, qv, lexical_signals(self.bench.lexical, text, n), dense, third,
                            phrase_holders(self.bench.lexical, text), best_passages(self.passages, qv)))
        return rows, qrels

    def lexical_of(self, row: Row, name: str) -> np.ndarray:
        return lexical_score(row, self.grid[name])

    def scores(self, variants: list[Variant]) -> dict[Variant, dict[str, np.ndarray]]:
        """nDCG@10 per query of every variant on both splits (the fused pool computed once per passage set)."""
        out: dict[Variant, dict[str, np.ndarray]] = {v: {} for v in variants}
        groups: dict[tuple, list[Variant]] = {}
        for v in variants:
            groups.setdefault((v.lexical, v.dense, v.beta), []).append(v)
        ids = self.bench.ids
        for (lexical, dense, beta), members in track(groups.items(), description="variants", console=STDERR):
            for split, (rows, qrels) in self.splits.items():
                per = {v: np.zeros(len(rows)) for v in members}
                for i, row in enumerate(rows):
                    ranked = fused(row, self.lexical_of(row, lexical), dense, beta)
                    for v in members:
                        order = final(row, ranked, v)
                        per[v][i] = sq.ndcg_at([ids[p] for p in order[:10].tolist()], qrels[row.qid])
                for v in members:
                    out[v][split] = per[v]
        return out


# -- the staged choice on train ---------------------------------------------------------------

PRODUCT = Variant()


def stage_a(study: Study) -> list[Variant]:
    """Every lexical variant with the product's dense side, and the two lexical lists alone."""
    return [*(Variant(lexical=name) for name in study.grid),
            Variant(dense="none"), Variant(lexical=next(reversed(study.grid)), dense="none")]


def stage_b(study: Study, a: dict[Variant, dict[str, np.ndarray]], keep: int = 3) -> list[Variant]:
    """The product's and the ``keep`` best train lexical rows of stage A, crossed with everything else."""
    fused_rows = [v for v in a if v.dense != "none" and v.lexical != PRODUCT_LEXICAL]
    best = sorted(fused_rows, key=lambda v: -a[v]["train"].mean())[:keep]
    lexicals = [PRODUCT_LEXICAL, *(v.lexical for v in best)]
    betas = BETAS if study.third is not None else (0.0,)
    reranks: list[tuple[str | None, int]] = [(None, 0), *itertools.product(study.passages, HEADS)]
    return [Variant(lexical, dense, beta, kind, head)
            for lexical, dense, beta, (kind, head) in itertools.product(lexicals, study.dense, betas, reranks)]


def summary(scores: dict[Variant, dict[str, np.ndarray]]) -> dict[str, dict]:
    """Means and the paired intervals against the product, per split."""
    reference = scores[PRODUCT]
    out = {}
    for v, s in scores.items():
        out[v.name] = {"variant": v.__dict__, **{split: round(float(x.mean()), 4) for split, x in s.items()},
                       **{f"{split}_delta_95": [round(d, 4) for d in paired_interval(x, reference[split])]
                          for split, x in s.items()}}
    return out


def rows_to_print(results: dict[str, dict], top: int = 12) -> Iterator[str]:
    """The product, the ``top`` best train rows, and the best train row of each lexical family with each
    ingredient (a dense side alone, wordllama, a passage kind); ``--json`` has every row."""
    names = sorted(results, key=lambda n: -results[n]["train"])
    families: dict[tuple[str, str], str] = {}
    for name in names:
        v = results[name]["variant"]
        ingredient = (f"MaxP {v['passages']}" if v["passages"] else "wordllama" if v["beta"] else f"dense {v['dense']}")
        families.setdefault((v["lexical"].split(" ")[0], ingredient), name)
    yield from dict.fromkeys([PRODUCT.name, *names[:top], *families.values()])


# -- the pick elsewhere: known-item search and the lexical query's cost at 75k ------------------


def known_item(study_grid: dict, pick: Variant, docs: int) -> dict:
    """The pick (its lexical side, wordllama and passages; the arXiv papers' dense side stays 224) against
    the product on benchmarks/known_item.py's queries: MRR / nDCG@10 per query kind."""
    import known_item as ki

    papers, matrix = ki.load_collection(docs)
    queries = ki.make_queries(papers)
    embedder = Embedder.default()
    abstracts = [p["abstract"] or "" for p in papers]
    sentences = Passages.of(abstracts, embedder, ki.CACHE, f"arxiv{len(papers)}")
    windowed = Passages.of(abstracts, embedder, ki.CACHE, f"arxiv{len(papers)}w2", split=windows)
    passages = {"sentences": sentences, "windows": windowed, "sentences + windows": sentences + windowed}
    third = wordllama_matrix([paper_text(p["title"], p["abstract"]) for p in papers]) if pick.beta else None
    vectors = matrix.astype(np.float16).astype(np.float32)
    variants = dict.fromkeys([PRODUCT, Variant(lexical=pick.lexical), replace(pick, dense="224"),
                              Variant(dense="none"), Variant(lexical=pick.lexical, dense="none")])
    sums: dict[str, dict[str, np.ndarray]] = {}
    with tempfile.TemporaryDirectory(dir=ki.CACHE) as tmp:
        lexical = ki.build_lexical(papers, Path(tmp) / "lexical")
        for kind, text, target in track(queries, description="known-item", console=STDERR):
            qv = embedder.encode_query(parse_query(text).text)
            row = Row(kind, qv, lexical_signals(lexical, text, len(papers)), {"224": vectors @ qv},
                      third[1] @ third[0].embed([text], norm=True)[0] if third else None,
                      phrase_holders(lexical, text), best_passages(passages, qv))
            for v in variants:
                ranked = fused(row, lexical_score(row, study_grid[v.lexical]), v.dense, v.beta)
                metrics = ki.rank_metrics(final(row, ranked, v).tolist(), target)
                for bucket in (kind, "all"):
                    sums.setdefault(bucket, {}).setdefault(v.name, np.zeros(3))[:] += (*metrics[:2], 1.0)
        del lexical
    return {bucket: {name: {"mrr": round(x[0] / x[2], 4), "ndcg@10": round(x[1] / x[2], 4)} for name, x in rows.items()}
            for bucket, rows in sums.items()}


def query_cost(weights: tuple[tuple[str, float], ...], texts: list[str], rounds: int = 3) -> dict:
    """Process CPU of the product's lexical top 100 against the pick's lexical query (its proximity clauses as
    SHOULD clauses beside the product's, as the product would add them), on the 75k-paper index of
    benchmarks/search_latency.py, interleaved query by query."""
    current = json.loads((sq.CACHE / "service-data" / "index" / "CURRENT.json").read_text())
    lexical = LexicalIndex.open(sq.CACHE / "service-data" / "index" / current["dir"] / "lexical")
    slops = {f"window{WINDOW_SLOP}": WINDOW_SLOP, **{f"ordered{s}": s for s in ORDERED}}
    pair_boost = dict(weights).get("pairs", 0.0)
    times: dict[str, list[float]] = {"product": [], "pick": []}
    for _ in range(rounds):
        for text in texts:
            parsed = parse_query(text)
            for label in times:
                started = time.process_time()
                params = LexicalParams(pair_boost=pair_boost) if label == "pick" else DEFAULT_PARAMS
                query = lexical.text_query(parsed.words, parsed.phrases, params)
                if label == "pick" and query is not None:
                    extra = [tantivy.Query.boost_query(q, w) for s, w in weights if w and s in slops
                             for q in [pair_query(lexical, parsed.words, slops[s])] if q is not None]
                    query = tantivy.Query.boolean_query([(tantivy.Occur.Should, q) for q in [query, *extra]])
                if query is not None:
                    lexical.search(query, DEPTH, count=False)
                times[label].append((time.process_time() - started) * 1000)
    return {"papers": lexical.num_docs, "queries": len(texts) * rounds,
            **{label: {"mean_ms": round(float(np.mean(t)), 3), "p50_ms": round(float(np.percentile(t, 50)), 3),
                       "p95_ms": round(float(np.percentile(t, 95)), 3)} for label, t in times.items()}}


# -- output -----------------------------------------------------------------------------------


def print_table(title: str, results: dict[str, dict], names: Iterator[str]) -> None:
    from rich.table import Table

    table = Table(title=title)
    for col in ("variant", "train", "test", "train - product, 95 %", "test - product, 95 %"):
        table.add_column(col, justify="left" if col == "variant" else "right")
    for name in names:
        row = results[name]
        intervals = [f"{row[f'{split}_delta_95'][0]:+.4f} .. {row[f'{split}_delta_95'][1]:+.4f}"
                     for split in ("train", "test")]
        table.add_row(name, f"{row['train']:.4f}", f"{row['test']:.4f}", *intervals)
    Console(width=220).print(table)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dataset", type=Path, default=sq.REPO.parent / "shared" / "data" / "scifact")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--wordllama", action="store_true", help="the third signal (pip install wordllama)")
    parser.add_argument("--known-item", action="store_true", help="the pick on arXiv known-item (first --docs papers)")
    parser.add_argument("--docs", type=int, default=5000)
    parser.add_argument("--cost", action="store_true", help="the pick's lexical query CPU at 75k (search_latency's index)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        study = Study(args.dataset, Path(tmp), args.wordllama)
    a = study.scores(stage_a(study))
    b = study.scores([v for v in stage_b(study, a) if v not in a])
    results = summary({**a, **b})
    pick = max((v for v in {**a, **b} if v.dense != "none"), key=lambda v: results[v.name]["train"])
    report: dict = {"dataset": args.dataset.name, "pick": pick.name, "ndcg@10": results}
    if args.known_item:
        report["known_item"] = known_item(study.grid, pick, args.docs)
    if args.cost:
        texts = [row_text for _, row_text in sq.load_dataset(args.dataset, "test")[1].items()]
        report["cost"] = query_cost(study.grid[pick.lexical], texts)
    if args.json:
        print(json.dumps(report))
        return 0
    print_table("A: lexical variants, the product's dense side (train 809, test 300 claims)",
                {n: results[n] for n in (v.name for v in a)}, rows_to_print({v.name: results[v.name] for v in a}))
    print_table("B: the best lexical rows crossed with dense sides, wordllama and passages",
                results, rows_to_print({PRODUCT.name: results[PRODUCT.name], **{v.name: results[v.name] for v in b}}))
    print(f"pick (best train row): {pick.name}: train {results[pick.name]['train']:.4f}, "
          f"test {results[pick.name]['test']:.4f}")
    for key in ("known_item", "cost"):
        if key in report:
            print(key, json.dumps(report[key], indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
