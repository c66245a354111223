"""Similar papers by example: does "papers like this one" find the papers related to it?

Query-by-example on the arXiv corpus. Relatedness is judged three ways, each defined by
evidence that neither retriever reads, and fixed before any method was scored on it:

* **co-authors**: the two papers share at least two authors (the same group's line of work;
  one shared name is too often a different person or a large consortium). Queries: papers whose
  primary category is ``cs.*``, with 2-12 authors;
* **code account**: the two papers' comments link GitHub repositories of the same account, i.e.
  the same lab's or person's code (accounts linked by more than 30 papers of the collection are
  hosts, not groups, and are left out). Papers whose title or abstract holds a GitHub link are
  left out altogether: the retrievers read the account's name there, so the truth would leak
  into the ranking. Queries: ``cs.*`` primary;
* **HF keywords**: both papers were on Hugging Face's daily list and share at least two of the
  ``ai_keywords`` it gave them, each keyword rare (held by at most 2 % of the collection's papers
  that have keywords; lower case, a trailing "(ACRONYM)" dropped): the same specific concepts.
  Only papers on that list can be related, so every method loses on unjudged neighbours alike.

Every truth keeps query papers with 1-30 related papers; same-title copies are neither
answers nor counted. Co-authors and code accounts measure topical closeness only as far as a
group works on one topic, and reward a group's habit of reusing its own words; the keyword
truth is the closest of the three to "a researcher's similar papers" (shared concepts, not
shared people). Queries are drawn with a fixed seed, up to ``--queries`` per truth.

Methods: tf-idf ranks the whole collection minus the query paper; every other row ranks the
product's pool (:func:`paperfeed.search.similar.similar_signals`: the BM25 more-like-this top 100
and the dense top 100, each candidate with all four scores) by some of its signals:

* **tf-idf**: scikit-learn ``TfidfVectorizer`` (sublinear tf, English stopwords, min_df 2)
  over title + abstract, cosine: the plain baseline;
* **BM25 more-like-this**: the product's BM25 alone (the paper's most distinctive terms,
  weighted, as a BM25 query; its top 100 are the pool's best by BM25);
* **dense**: the product's vectors alone (the similar papers of two rounds ago);
* :data:`VARIANTS`: weightings of the z-scored signals: BM25 + dense (the product before the
  words, pairs and categories), words and pairs alone, the three text and meaning signals, and
  the product (:data:`paperfeed.search.similar.DEFAULT_WEIGHTS`).

Each method's nDCG@10 is compared with tf-idf's and with dense's on the same queries: the ratio
of the means minus one, with a 95 % paired bootstrap interval (2,000 resamples of the queries).

The collection is the first ``--docs`` papers of the corpus, as in ``benchmarks/known_item.py``.
Choices (weights, designs) are made elsewhere, on queries this table never reads:
:func:`selection_queries` and ``benchmarks/similar_designs.py`` (other collections of the corpus).

    python benchmarks/similar.py            # a table per truth
    python benchmarks/similar.py --json     # one JSON object
"""

from __future__ import annotations

import argparse
import json
import math
import random
import re
import sys
import tempfile
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from djangoenv import configure  # noqa: E402

configure(None, "pf-bench-")

from known_item import DOCS, hf_entries, load_collection  # noqa: E402
from search_corpus import CACHE, build_lexical  # noqa: E402

from paperfeed.search.embedder import normalize_text  # noqa: E402
from paperfeed.search.similar import DEFAULT_WEIGHTS, Described, fuse_signals, similar_signals, title_key  # noqa: E402
from paperfeed.search.vectors import VectorSet  # noqa: E402

SEED = 20260711
SELECTION_SEED = 20260712  # the held-out co-author queries that choices are made on (never the benchmark's)
QUERIES = 1000
BOOTSTRAP = 2000
MIN_SHARED_AUTHORS = 2
MAX_ACCOUNT_PAPERS = 30
RARE_KEYWORD_SHARE = 0.02
MIN_SHARED_KEYWORDS = 2
PRODUCT = "product: 4 signals, z-score"
VARIANTS = {  # a row per weighting of the same pool's signals (weights over their z-scores)
    "BM25 + dense, z-score (the product before)": {"bm25": 0.5, "dense": 0.5},
    "words & pairs tf-idf alone (the pool)": {"words": 1.0},
    "BM25 + dense + words & pairs": {"bm25": 1 / 3, "dense": 1 / 3, "words": 1 / 3},
    PRODUCT: DEFAULT_WEIGHTS,
}
METHODS = ("tf-idf", "BM25 more-like-this", "dense", *VARIANTS)
_GITHUB = re.compile(r"github\.com/([A-Za-z0-9][\w.-]*)/([\w.-]+)", re.IGNORECASE)
_ACRONYM = re.compile(r"\s*\([^)]*\)\s*$")


def _groups(papers: list[dict], keys: dict[int, set[str]], min_shared: int) -> dict[int, set[int]]:
    """Paper position -> positions sharing at least ``min_shared`` keys with it (same-title copies left out)."""
    holders: dict[str, list[int]] = defaultdict(list)
    for i, ks in keys.items():
        for k in ks:
            holders[k].append(i)
    titles = [title_key(p["title"]) for p in papers]
    out: dict[int, set[int]] = {}
    for i, ks in keys.items():
        shared = Counter(j for k in ks for j in holders[k] if j != i)
        out[i] = {j for j, n in shared.items() if n >= min_shared and titles[j] != titles[i]}
    return out


def coauthor_sets(papers: list[dict]) -> dict[int, set[int]]:
    """Papers of 2-12 authors -> the papers sharing >= 2 of those authors."""
    keys = {i: set(p["authors"]) for i, p in enumerate(papers) if 2 <= len(p["authors"]) <= 12}
    everyone = {i: set(p["authors"]) for i, p in enumerate(papers)}
    related = _groups(papers, everyone, MIN_SHARED_AUTHORS)
    return {i: related[i] for i in keys}


def code_account_sets(papers: list[dict]) -> dict[int, set[int]]:
    """Papers linking GitHub code -> the papers linking code of the same account (a group's account, not a host)."""
    accounts = {}
    for i, p in enumerate(papers):
        if _GITHUB.search(f"{p['title']} {p['abstract']}"):
            continue  # every retriever reads the account's name there: it would judge itself
        found = {owner.lower() for owner, _ in _GITHUB.findall(p.get("comment") or "")}
        if found:
            accounts[i] = found
    size = Counter(a for found in accounts.values() for a in found)
    accounts = {i: {a for a in found if size[a] <= MAX_ACCOUNT_PAPERS} for i, found in accounts.items()}
    return _groups(papers, {i: found for i, found in accounts.items() if found}, 1)


def keyword_sets(papers: list[dict], hf: dict[str, dict]) -> dict[int, set[int]]:
    """Papers with Hugging Face keywords -> the papers sharing >= 2 rare ones."""
    keywords = {}
    for i, p in enumerate(papers):
        given = (hf.get(p["id"]) or {}).get("ai_keywords") or []
        if given:
            keywords[i] = {_ACRONYM.sub("", normalize_text(k).lower()).strip() for k in given} - {""}
    held = Counter(k for ks in keywords.values() for k in ks)
    most = max(2, int(RARE_KEYWORD_SHARE * len(keywords)))
    return _groups(papers, {i: {k for k in ks if held[k] <= most} for i, ks in keywords.items()},
                   MIN_SHARED_KEYWORDS)


def pick_queries(papers: list[dict], related: dict[int, set[int]], n: int, *, cs_only: bool,
                 seed: int = SEED) -> list[int]:
    eligible = sorted(i for i, rel in related.items() if 1 <= len(rel) <= 30
                      and (not cs_only or papers[i]["categories"][0].startswith("cs.")))
    return sorted(random.Random(seed).sample(eligible, min(n, len(eligible))))


def selection_queries(papers: list[dict], coauthors: dict[int, set[int]], n: int = QUERIES) -> list[int]:
    """The held-out selection set: ``n`` co-author queries drawn with :data:`SELECTION_SEED` from the
    eligible papers that are not this benchmark's co-author queries, so that a design or a weight
    is chosen on queries the reported table never reads."""
    held = set(pick_queries(papers, coauthors, n, cs_only=True))
    rest = {i: rel for i, rel in coauthors.items() if i not in held}
    return pick_queries(papers, rest, n, cs_only=True, seed=SELECTION_SEED)


def metrics(ranked: list[int], relevant: set[int]) -> tuple[float, float]:
    """(nDCG@10, recall@10) with binary relevance."""
    dcg = sum(1.0 / math.log2(r + 2) for r, pk in enumerate(ranked[:10]) if pk in relevant)
    idcg = sum(1.0 / math.log2(r + 2) for r in range(min(10, len(relevant))))
    return dcg / idcg, len(relevant & set(ranked[:10])) / len(relevant)


def ratio_ci(scores: np.ndarray, base: np.ndarray, resamples: int = BOOTSTRAP,
             seed: int = SEED) -> tuple[float, float, float]:
    """``mean(scores) / mean(base) - 1`` and its 95 % paired bootstrap interval over the queries."""
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, len(scores), size=(resamples, len(scores)))
    with np.errstate(divide="ignore", invalid="ignore"):
        boot = scores[picks].mean(axis=1) / base[picks].mean(axis=1) - 1.0
    low, high = np.nanpercentile(boot, [2.5, 97.5])
    return float(scores.mean() / base.mean() - 1.0), float(low), float(high)


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


def _by_score(pks: list[int], scores: np.ndarray) -> list[int]:
    return [pks[j] for j in np.argsort(-np.nan_to_num(scores, nan=-np.inf), kind="stable")]


def rankings(papers: list[dict], tfidf: TfIdf, lexical, vectors: VectorSet) -> Callable[[int], dict[str, list[int]]]:
    """Every method's ranking for a query paper (computed once, shared by the truths that ask for it)."""
    titles = [title_key(p["title"]) for p in papers]
    described = [Described(p["title"], p["abstract"], tuple(p["categories"])) for p in papers]
    cache: dict[int, dict[str, list[int]]] = {}

    def describe(pks: list[int]) -> dict[int, Described]:
        return {pk: described[pk] for pk in pks}

    def rank(i: int) -> dict[str, list[int]]:
        if i not in cache:
            signals = similar_signals(lexical, vectors, i, described[i], vectors.matrix[i], describe)
            runs = {
                "tf-idf": tfidf.rank(i),
                # Each retriever's top 100 are the pool's best by its score: the pool ranked by one signal.
                "BM25 more-like-this": _by_score(signals.pks, signals.bm25),
                "dense": _by_score(signals.pks, signals.dense),
                **{name: [c.pk for c in fuse_signals(signals, weights)] for name, weights in VARIANTS.items()},
            }
            # Like the product: the paper's own same-title copies are never shown.
            cache[i] = {m: [pk for pk in r if titles[pk] != titles[i]][:10] for m, r in runs.items()}
        return cache[i]

    return rank


def score_truth(rank: Callable[[int], dict[str, list[int]]], queries: list[int],
                related: dict[int, set[int]]) -> dict:
    """Each method's mean nDCG@10 / recall@10 on one truth, and its ratio to tf-idf's and dense's with CIs."""
    per = {m: np.array([metrics(rank(i)[m], related[i]) for i in queries]).reshape(-1, 2) for m in METHODS}
    out = {}
    for m, values in per.items():
        ndcg = values[:, 0]
        out[m] = {"ndcg@10": round(float(ndcg.mean()), 4), "recall@10": round(float(values[:, 1].mean()), 4)}
        for ref in ("tf-idf", "dense"):
            if ref != m:
                out[m][f"vs_{ref}"] = [round(x, 4) for x in ratio_ci(ndcg, per[ref][:, 0])]
    return out


def run(docs: int = DOCS, n_queries: int = QUERIES) -> dict:
    papers, matrix = load_collection(docs)
    truths = {
        "co-authors": (coauthor_sets(papers), True, f"shares >= {MIN_SHARED_AUTHORS} authors"),
        "code account": (code_account_sets(papers), True,
                         f"comment links GitHub code of the same account (accounts of <= {MAX_ACCOUNT_PAPERS} "
                         "papers; no GitHub link in title or abstract)"),
        "HF keywords": (keyword_sets(papers, hf_entries()), False,
                        f"shares >= {MIN_SHARED_KEYWORDS} HF ai_keywords held by <= {RARE_KEYWORD_SHARE:.0%} "
                        "of keyworded papers"),
    }
    tfidf = TfIdf(papers)
    vectors = VectorSet(np.arange(len(papers), dtype=np.int64), matrix.astype(np.float16).astype(np.float32))
    report = {"collection": f"first {len(papers):,} papers of arxiv_daily.jsonl.gz", "docs": len(papers),
              "seed": SEED, "bootstrap": BOOTSTRAP, "truths": {}}
    with tempfile.TemporaryDirectory(dir=CACHE) as tmp:
        lexical = build_lexical(papers, Path(tmp) / "lexical")
        rank = rankings(papers, tfidf, lexical, vectors)
        for name, (related, cs_only, definition) in truths.items():
            queries = pick_queries(papers, related, n_queries, cs_only=cs_only)
            report["truths"][name] = {"definition": definition, "queries": len(queries),
                                      "results": score_truth(rank, queries, related)}
        del lexical
    return report


def _ratio(cell: list[float] | None) -> str:
    return "–" if cell is None else f"{cell[0]:+.1%} [{cell[1]:+.1%}, {cell[2]:+.1%}]"


def print_tables(report: dict) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(width=200)
    for name, truth in report["truths"].items():
        table = Table(title=f"Similar papers by example, {name}: {truth['queries']} query papers, "
                            f"{report['collection']}, related = {truth['definition']} (seed {report['seed']})")
        for col in ("method", "nDCG@10", "Recall@10", "vs tf-idf [95 % CI]", "vs dense [95 % CI]"):
            table.add_column(col, justify="left" if col == "method" else "right")
        for method, row in truth["results"].items():
            table.add_row(method, f"{row['ndcg@10']:.4f}", f"{row['recall@10']:.4f}",
                          _ratio(row.get("vs_tf-idf")), _ratio(row.get("vs_dense")))
        console.print(table)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=DOCS, help="the first N papers of the corpus")
    parser.add_argument("--queries", type=int, default=QUERIES, help="at most this many query papers per truth")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of tables")
    args = parser.parse_args()
    report = run(args.docs, args.queries)
    if args.json:
        print(json.dumps(report))
    else:
        print_tables(report)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
