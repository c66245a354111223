"""Similar papers: which third signal (words and pairs) to fuse, measured offline before building one.

The product (:mod:`paperfeed.search.similar`) fuses four z-scored signals over one pool:
BM25 more-like-this, dense, a tf-idf of words and word pairs, and the category sets' cosine
(thirds + categories 0.2). This benchmark keeps the pool, BM25, dense and categories exactly as
the product computes them (:func:`paperfeed.search.similar.similar_signals`) and swaps the third
signal for candidate designs whose statistics are the collection's own (document frequencies of
the benchmark's papers, computed here in one pass, as an index generation would hold them):

* words **unstemmed** or **stems** (tantivy's simple tokenizer, lower case, with or without the
  index's English stemmer), stopwords, numbers and one-letter tokens out, link words out
  (:func:`paperfeed.search.word_pairs.without_links`);
* **pairs** of two content words with at most ``gap`` stopwords between (kept in the pair);
* scored as a **full cosine** over words and pairs (every pair's df known) or as the product's
  **shared-pairs approximation** (the words' cosine plus the shared pairs over the words' norms);
* weights as scikit-learn's ``TfidfVectorizer(sublinear_tf=True, min_df=2)``.

The choice is made on held-out queries only: the **selection set** (1,000 co-author queries
drawn with ``similar.SELECTION_SEED`` from the eligible papers that are *not* queries of
``benchmarks/similar.py``: :func:`similar.selection_queries`) and, with ``--held-out``, all three
truths on **two other collections** (papers 15,000-29,999 and 30,000-44,999 of the corpus, the
same truths and query draws within each), then every held-out query of a truth pooled. Those
collections share no paper with the benchmark's, so code account and HF keywords, whose
benchmark queries are every eligible paper, get held-out queries too. ``--truths`` adds the
benchmark's own three truths, to be read only for a design chosen on the held-out ones.

``--grid`` scores the product's own four signals under the weightings of :data:`GRID` instead
(is the fusion's weighting the lever?); ``--cost N`` measures what the best word-level design
would cost in the product (index size, CPU per pool) on N selection queries.

The pools (the product's :func:`similar_signals` for every query) are kept in
``.benchcache/search/similar_pools_<offset>_<docs>_<code hash>.pkl``, a new file whenever the
product's ranking code changes.

    nice -n 10 python benchmarks/similar_designs.py --held-out --truths  # the tables of docs/search.md
    nice -n 10 python benchmarks/similar_designs.py                      # the selection set only
    nice -n 10 python benchmarks/similar_designs.py --held-out --grid --json
    nice -n 10 python benchmarks/similar_designs.py --cost 200
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import pickle
import sys
import tempfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
import similar as bench  # noqa: E402  (configures Django)
from known_item import DOCS, hf_entries, load_collection  # noqa: E402
from search_corpus import CACHE, build_lexical  # noqa: E402

from paperfeed.search import word_pairs  # noqa: E402
from paperfeed.search.embedder import normalize_text  # noqa: E402
from paperfeed.search.hybrid import normalise  # noqa: E402
from paperfeed.search.similar import DEFAULT_WEIGHTS, Described, Signals, similar_signals, title_key  # noqa: E402
from paperfeed.search.vectors import VectorSet  # noqa: E402


def _analyzer(stem: bool):
    import tantivy

    builder = (tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple()).filter(tantivy.Filter.remove_long(40))
               .filter(tantivy.Filter.lowercase()))
    if stem:
        builder = builder.filter(tantivy.Filter.stemmer("english"))
    return builder.build()


@dataclass(frozen=True)
class Design:
    """One way to make the third signal."""

    stem: bool = False
    gap: int = 2  # stopwords a pair may span; -1: no pairs
    full: bool = True  # a full cosine over words and pairs; False: the shared-pairs approximation
    title_times: int = 1  # the title's features counted this many times
    pair_weight: float = 1.0  # pairs' weights times this (in both the dot and the norm)
    sklearn_stop: bool = False  # scikit-learn's English stopwords only (not search's too)
    numbers: bool = False  # numbers are words (scikit-learn's tokens) instead of breaks


DESIGNS: dict[str, Design] = {
    "(a) words + pairs <=2 stopwords, full cosine": Design(),
    "(b) words + pairs <=2 stopwords, shared-pairs approximation": Design(full=False),
    "(c) stems + pairs <=2 stopwords, full cosine": Design(stem=True),
    "(c') stems + pairs, shared-pairs approximation (the product's, collection df)": Design(stem=True, full=False),
    "(d1) words + adjacent pairs, full cosine": Design(gap=0),
    "(d2) words alone, full cosine": Design(gap=-1),
    "(d3) words + pairs, full cosine, title twice": Design(title_times=2),
    "(d4) words + pairs, full cosine, pairs weighed x2": Design(pair_weight=2.0),
    "(d5) stems + pairs, full cosine, title twice": Design(stem=True, title_times=2),
    "(e1) words + pairs across any stopwords, full cosine": Design(gap=99),
    "(e2) (e1) + scikit-learn's stopwords only": Design(gap=99, sklearn_stop=True),
    "(e3) (e2) + numbers as words": Design(gap=99, sklearn_stop=True, numbers=True),
    "(e4) words + pairs <=2 stopwords, scikit-learn's stopwords, numbers": Design(sklearn_stop=True, numbers=True),
}
PRODUCT_ROW = "the product (stems + pairs, shared-pairs, index df)"
SKLEARN_ROW = "scikit-learn 1-2-gram words (link words out), full cosine"


def features(title: str, abstract: str, design: Design, analyzer) -> Counter[str]:
    """A paper's words and pairs (pairs as their words joined by spaces, stopwords between kept)."""
    text = f"{(title + word_pairs.FIELD_BREAK) * design.title_times}{abstract}"
    if any(mark in text for mark in ("\\", "&")):
        text = normalize_text(text)
    tokens = analyzer.analyze(word_pairs.without_links(text))
    stop = word_pairs._STOP_STEMS if design.stem else (ENGLISH_STOP_WORDS if design.sklearn_stop else word_pairs.STOP)  # noqa: SLF001
    out: Counter[str] = Counter()
    last = -1
    for i, tok in enumerate(tokens):
        if tok in stop:
            continue
        if len(tok) < 2 or (tok.isdigit() and not design.numbers):
            last = -1
            continue
        out[tok] += 1
        if design.gap >= 0 and last >= 0 and i - last <= design.gap + 1:
            out[" ".join(tokens[last:i + 1])] += 1
        last = i
    return out


class Matrix:
    """Collection tf-idf of one design: rows L2-normalised (full) or words-normalised (approximation)."""

    def __init__(self, papers: list[dict], design: Design) -> None:
        analyzer = _analyzer(design.stem)
        bags = [features(p["title"], p["abstract"] or "", design, analyzer) for p in papers]
        df = Counter(f for b in bags for f in b)
        vocab = {f: j for j, f in enumerate(sorted(f for f, n in df.items() if n >= 2))}
        n = len(papers)
        idf = np.array([1.0 + math.log((1 + n) / (1 + df[f])) for f in vocab])
        is_pair = np.array([" " in f for f in vocab])
        rows, cols, vals = [], [], []
        for i, b in enumerate(bags):
            for f, tf in b.items():
                j = vocab.get(f)
                if j is not None:
                    rows.append(i)
                    cols.append(j)
                    vals.append(1.0 + math.log(tf))
        m = sp.csr_matrix((vals, (rows, cols)), shape=(n, len(vocab)))
        m = m @ sp.diags(idf * np.where(is_pair, design.pair_weight, 1.0))
        if design.full:
            norms = np.sqrt(np.asarray(m.multiply(m).sum(axis=1)).ravel())
        else:
            words = m @ sp.diags((~is_pair).astype(float))
            norms = np.sqrt(np.asarray(words.multiply(words).sum(axis=1)).ravel())
        self.m = sp.diags(np.divide(1.0, norms, out=np.zeros(n), where=norms > 0)) @ m
        self.m = self.m.tocsr()
        self.features = len(vocab)

    def scores(self, i: int, pks: list[int]) -> np.ndarray:
        return (self.m[pks] @ self.m[i].T).toarray().ravel()


class SklearnWords(Matrix):
    def __init__(self, papers: list[dict]) -> None:  # noqa: D107  (no super: scikit-learn builds it)
        from sklearn.feature_extraction.text import TfidfVectorizer

        texts = [normalize_text(word_pairs.without_links(f"{p['title']}. {p['abstract']}")) for p in papers]
        self.m = TfidfVectorizer(sublinear_tf=True, stop_words="english", min_df=2,
                                 ngram_range=(1, 2)).fit_transform(texts).tocsr()
        self.features = self.m.shape[1]


def pools(papers: list[dict], matrix: np.ndarray, queries: set[int], cache: Path) -> dict[int, Signals]:
    """The product's pool and four signals for every query paper (kept in ``cache`` between runs)."""
    if cache.exists():
        kept = pickle.loads(cache.read_bytes())
        if queries <= kept.keys():
            return kept
    described = [Described(p["title"], p["abstract"], tuple(p["categories"])) for p in papers]
    vectors = VectorSet(np.arange(len(papers), dtype=np.int64), matrix.astype(np.float16).astype(np.float32))
    out: dict[int, Signals] = {}
    with tempfile.TemporaryDirectory(dir=CACHE) as tmp:
        lexical = build_lexical(papers, Path(tmp) / "lexical")
        for n, i in enumerate(sorted(queries)):
            out[i] = similar_signals(lexical, vectors, i, described[i], vectors.matrix[i],
                                     lambda pks: {pk: described[pk] for pk in pks})
            if n % 200 == 0:
                print(f"  pools {n}/{len(queries)}", file=sys.stderr, flush=True)
        del lexical
    cache.write_bytes(pickle.dumps(out))
    return out


def fused(signals: Signals, third: np.ndarray, w: dict[str, float] = DEFAULT_WEIGHTS) -> list[int]:
    """The product's fusion with ``third`` in place of its words-and-pairs signal (and weights ``w``)."""
    total = (w["bm25"] * normalise(signals.bm25, "zscore") + w["dense"] * normalise(signals.dense, "zscore")
             + w["words"] * normalise(third, "zscore") + w["categories"] * normalise(signals.categories, "zscore"))
    return [signals.pks[j] for j in np.argsort(-total, kind="stable")]


def evaluate(papers: list[dict], signals: dict[int, Signals], thirds: dict[str, Callable[[int, list[int]], np.ndarray]],
             truths: dict[str, tuple[list[int], dict[int, set[int]]]], tfidf: bench.TfIdf) -> dict:
    """Per truth and row: nDCG@10, and the ratio to tf-idf's and to the product's with 95 % intervals."""
    titles = [title_key(p["title"]) for p in papers]
    report: dict = {}
    for truth, (queries, related) in truths.items():
        per: dict[str, list[float]] = {"tf-idf": [], PRODUCT_ROW: []}
        for i in queries:
            s = signals[i]
            runs = {"tf-idf": tfidf.rank(i), PRODUCT_ROW: fused(s, s.words)}
            runs.update({name: fused(s, third(i, s.pks)) for name, third in thirds.items()})
            for name, ranked in runs.items():
                top = [pk for pk in ranked if titles[pk] != titles[i]][:10]
                per.setdefault(name, []).append(bench.metrics(top, related[i])[0])
        arrays = {name: np.array(v) for name, v in per.items()}
        report[truth] = {"queries": len(queries), "per_query": {name: v.round(5).tolist() for name, v in arrays.items()},
                         "rows": {
            name: {"ndcg@10": round(float(v.mean()), 4),
                   "vs_tfidf": [round(x, 4) for x in bench.ratio_ci(v, arrays["tf-idf"])],
                   "vs_product": [round(x, 4) for x in bench.ratio_ci(v, arrays[PRODUCT_ROW])]}
            for name, v in arrays.items()}}
    return report


GRID = {"bm25": (0.2, 1 / 3, 0.5), "dense": (0.1, 0.2, 1 / 3, 0.5), "words": (0.2, 1 / 3, 0.5, 0.7),
        "categories": (0.1, 0.2, 0.33)}


def weight_grid(papers: list[dict], signals: dict[int, Signals],
                truths: dict[str, tuple[list[int], dict[int, set[int]]]]) -> dict[str, dict[str, float]]:
    """Mean nDCG@10 per truth of every weighting in :data:`GRID` (the product's four signals as they are)."""
    import itertools

    titles = [title_key(p["title"]) for p in papers]
    z = {i: {name: normalise(getattr(s, name), "zscore") for name in GRID} for i, s in signals.items()}
    out: dict[str, dict[str, float]] = {}
    for combo in itertools.product(*GRID.values()):
        w = dict(zip(GRID, combo, strict=True))
        key = " ".join(f"{name}={v:.2f}" for name, v in w.items())
        out[key] = {}
        for truth, (queries, related) in truths.items():
            values = []
            for i in queries:
                total = sum(w[name] * z[i][name] for name in GRID)
                ranked = [signals[i].pks[j] for j in np.argsort(-total, kind="stable")]
                values.append(bench.metrics([pk for pk in ranked if titles[pk] != titles[i]][:10], related[i])[0])
            out[key][truth] = float(np.mean(values))
    return out


def _size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def _sklearn_features() -> Callable[[dict], Counter[str]]:
    from sklearn.feature_extraction.text import TfidfVectorizer

    analyzer = TfidfVectorizer(stop_words="english", ngram_range=(1, 2)).build_analyzer()
    return lambda p: Counter(analyzer(normalize_text(word_pairs.without_links(f"{p['title']}. {p['abstract']}"))))


def _features_index(papers: list[dict], path: Path, feats: Callable[[dict], Counter[str]]):
    """Each paper's distinct features as untokenized terms of one field (doc ids only): what sync would add."""
    import tantivy

    sb = tantivy.SchemaBuilder()
    sb.add_integer_field("pk", stored=True, indexed=True, fast=True)
    sb.add_text_field("similar", stored=False, tokenizer_name="raw", index_option="basic")
    path.mkdir()
    index = tantivy.Index(sb.build(), path=str(path))
    writer = index.writer(heap_size=256_000_000, num_threads=1)
    for pk, p in enumerate(papers):
        doc = tantivy.Document()
        doc.add_integer("pk", pk)
        for f in feats(p):
            doc.add_text("similar", f)
        writer.add_document(doc)
    writer.commit()
    writer.wait_merging_threads()
    index.reload()
    return index


def _median_cpu_ms(queries: list[int], fn: Callable[[int], object]) -> float:
    import time

    per = []
    for i in queries:
        started = time.process_time()
        fn(i)
        per.append(time.process_time() - started)
    return round(float(np.median(per)) * 1e3, 2)


def cost(papers: list[dict], signals: dict[int, Signals], queries: list[int]) -> dict:
    """What scikit-learn's 1-2-gram words would cost in the product, beside the product's own signal.

    Index: :func:`_features_index` (the simplest store that sync keeps current for free) beside
    the product's lexical index of the same papers. Request: for each query's pool, analyse the
    paper and its candidates, read every feature's document frequency (kept per process, as
    :class:`word_pairs.Statistics` keeps its own) and take the full cosine in plain Python;
    beside :func:`word_pairs.scores` on the same pools and index. Process CPU per pool, with
    nothing kept (cold) and after every query once (warm).
    """
    import time

    feats = _sklearn_features()
    out: dict = {}
    with tempfile.TemporaryDirectory(dir=CACHE) as tmp:
        started = time.process_time()
        lexical = build_lexical(papers, Path(tmp) / "lexical")
        out["product lexical index: build CPU s"] = round(time.process_time() - started, 1)
        out["product lexical index: MB"] = round(_size(Path(tmp) / "lexical") / 1e6, 1)
        started = time.process_time()
        searcher = _features_index(papers, Path(tmp) / "features", feats).searcher()
        out["features field alone: build CPU s (analysis included)"] = round(time.process_time() - started, 1)
        out["features field alone: MB"] = round(_size(Path(tmp) / "features") / 1e6, 1)

        def full_cosine(i: int, kept: dict[str, float]) -> np.ndarray:
            bags = [feats(papers[i])] + [feats(papers[pk]) for pk in signals[i].pks]
            for f in {f for b in bags for f in b} - kept.keys():
                df = searcher.doc_freq("similar", f)
                kept[f] = 1.0 + math.log((1 + searcher.num_docs) / (1 + df)) if df >= 2 else 0.0
            vecs = [{f: (1.0 + math.log(c)) * kept[f] for f, c in b.items() if kept[f]} for b in bags]
            norms = [math.sqrt(sum(w * w for w in v.values())) or 1.0 for v in vecs]
            return np.array([sum(w * vecs[0].get(f, 0.0) for f, w in v.items()) / (norms[0] * nv)
                             for v, nv in zip(vecs[1:], norms[1:], strict=True)])

        def product(i: int) -> np.ndarray:
            q = word_pairs.bag(papers[i]["title"], papers[i]["abstract"])
            return word_pairs.scores(lexical, q, [word_pairs.bag(papers[c]["title"], papers[c]["abstract"], q)
                                                  for c in signals[i].pks])

        kept: dict[str, float] = {}
        out["scikit-learn words, full cosine: CPU ms p50, cold"] = _median_cpu_ms(queries, lambda i: full_cosine(i, {}))
        _median_cpu_ms(queries, lambda i: full_cosine(i, kept))
        out["scikit-learn words, full cosine: CPU ms p50, warm"] = _median_cpu_ms(queries, lambda i: full_cosine(i, kept))
        out["product words and pairs: CPU ms p50, cold"] = _median_cpu_ms(
            queries, lambda i: (word_pairs.forget(), product(i)))
        _median_cpu_ms(queries, product)
        out["product words and pairs: CPU ms p50, warm"] = _median_cpu_ms(queries, product)
        out["pool size p50"] = int(np.median([len(signals[i].pks) for i in queries]))
        out["features kept after the warm pass"] = len(kept)
        word_pairs.forget()
    return out


HELD_OUT = (15_000, 30_000)  # the other collections: the next 15,000 papers twice (disjoint from the benchmark's)
Truths = dict[str, tuple[list[int], dict[int, set[int]]]]


def collection(offset: int, truths_too: bool) -> tuple[list[dict], dict[int, Signals], Truths]:
    """The 15,000 papers from ``offset``, their truths' queries and the product's pools for them.

    At offset 0 (the benchmark's collection) the selection set, and the benchmark's truths only
    when asked; at any other offset the collection is held out entirely and all three truths count.
    """
    papers, matrix = load_collection(offset + DOCS)
    papers, matrix = papers[offset:], matrix[offset:]
    coauthors = bench.coauthor_sets(papers)
    truths: Truths = {}
    if not offset:
        truths["selection (co-authors)"] = (bench.selection_queries(papers, coauthors), coauthors)
    if truths_too or offset:
        label = f" (papers {offset:,}-{offset + len(papers) - 1:,})" if offset else ""
        for name, (related, cs_only) in {"co-authors": (coauthors, True),
                                         "code account": (bench.code_account_sets(papers), True),
                                         "HF keywords": (bench.keyword_sets(papers, hf_entries()), False)}.items():
            truths[name + label] = (bench.pick_queries(papers, related, bench.QUERIES, cs_only=cs_only), related)
    code = hashlib.sha256(b"".join((REPO / "paperfeed" / "search" / name).read_bytes()
                                   for name in ("similar.py", "word_pairs.py", "lexical.py", "hybrid.py"))).hexdigest()[:12]
    signals = pools(papers, matrix, {i for q, _ in truths.values() for i in q},
                    CACHE / f"similar_pools_{offset}_{DOCS}_{code}.pkl")
    return papers, signals, truths


def designs_report(papers: list[dict], signals: dict[int, Signals], truths: Truths, only: list[str] | None) -> dict:
    designs = {k: v for k, v in DESIGNS.items() if not only or any(k.startswith(o) for o in only)}
    built: dict[str, Matrix] = {name: Matrix(papers, d) for name, d in designs.items()}
    built[SKLEARN_ROW] = SklearnWords(papers)
    return evaluate(papers, signals, {name: m.scores for name, m in built.items()}, truths, bench.TfIdf(papers))


def pooled(report: dict) -> dict:
    """Every held-out query of a truth together (the selection set's co-authors with the other collections')."""
    out: dict = {}
    for kind in ("co-authors", "code account", "HF keywords"):
        parts = [r for truth, r in report.items() if (truth.startswith(kind) and "(papers" in truth)
                 or (kind == "co-authors" and truth.startswith("selection"))]  # never the benchmark's queries
        arrays = {name: np.concatenate([np.array(r["per_query"][name]) for r in parts]) for name in parts[0]["per_query"]}
        out[f"{kind}, held out"] = {"queries": len(arrays["tf-idf"]), "rows": {
            name: {"ndcg@10": round(float(v.mean()), 4),
                   "vs_tfidf": [round(x, 4) for x in bench.ratio_ci(v, arrays["tf-idf"])],
                   "vs_product": [round(x, 4) for x in bench.ratio_ci(v, arrays[PRODUCT_ROW])]}
            for name, v in arrays.items()}}
    return out


def print_report(report: dict) -> None:
    for truth, r in report.items():
        print(f"\n{truth}: {r['queries']} queries (third signal inside BM25 + dense + it, thirds, + categories 0.2)")
        print(f"{'third signal':<80} {'nDCG@10':>8}  {'vs tf-idf [95 % CI]':<26} vs the product [95 % CI]")
        for name, row in r["rows"].items():
            a, b = row["vs_tfidf"], row["vs_product"]
            print(f"{name:<80} {row['ndcg@10']:8.4f}  {a[0]:+6.1%} [{a[1]:+6.1%}, {a[2]:+6.1%}]"
                  f"   {b[0]:+6.1%} [{b[1]:+6.1%}, {b[2]:+6.1%}]")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--truths", action="store_true", help="also the benchmark's three truths")
    parser.add_argument("--held-out", action="store_true",
                        help="also the three truths of two other collections (papers 15,000-44,999), then pooled")
    parser.add_argument("--offset", type=int, default=0, help="one collection: papers offset..offset+15,000")
    parser.add_argument("--only", nargs="*", help="design labels' prefixes, e.g. '(a)' '(b)'")
    parser.add_argument("--grid", action="store_true", help="the product's signals under the weightings of GRID")
    parser.add_argument("--cost", type=int, metavar="N", default=0,
                        help="what scikit-learn's words would cost (index size, CPU per pool) on N selection queries")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    report: dict = {}
    for offset in (0, *HELD_OUT) if args.held_out else (args.offset,):
        papers, signals, truths = collection(offset, args.truths)
        if args.cost:
            print(json.dumps(cost(papers, signals, truths["selection (co-authors)"][0][: args.cost]), indent=1))
            return 0
        if args.grid:
            print(json.dumps(weight_grid(papers, signals, truths)))
            continue
        report.update(designs_report(papers, signals, truths, args.only))
    if args.held_out and report:
        report.update(pooled(report))
    if not args.json:
        print_report(report)
    elif report:
        print(json.dumps(report))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
