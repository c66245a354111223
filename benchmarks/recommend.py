"""Offline benchmark for personal recommendations, on real arXiv listings.

Protocol (simulated members): every author with at least ``--min-train`` papers listed before
``--split`` and at least ``--min-test`` papers in the test window [split, split + window) is
a member whose "saved papers" are their papers before the split. Each method ranks *all*
papers of the test window for that member; the member's own papers in the window are the
relevant ones (we never show the model author names, only title + abstract, so this measures
topic match). Metrics: nDCG@10 and Recall@50, averaged over members; beside each row's change
against the anchor, its 95 % paired bootstrap interval over the members.

The anchor is arxiv-sanity-lite's method as this benchmark has always run it: a per-member
linear SVM (C = 0.1, balanced classes) over tf-idf of uni+bigrams capped at the 50,000 most
frequent terms. Its settings are fixed here (``ANCHOR_*``), so changing the site's features or
scorer never moves the anchor. Baselines: random order, recency (newest first), trending
(Hugging Face upvotes from hf_daily_papers.jsonl.gz -- what a member gets on cold start).

The site's rows use ``recommender`` as the site does: tf-idf over every term (no cap) beside the
papers' arXiv categories (``recommender.with_categories``), its SVM (``recommender.C``), and ``fusion`` (that SVM's score plus the sentence embeddings' score, each
z-scored per member). Embeddings are the search app's MiniLM vectors of ``paper_text`` (what the
site reads from the search index), cached by arXiv id in .benchcache/recommend/ (the first run
embeds ~14,700 texts; ``--no-embeddings`` skips those rows).

"+ negatives" rows add the feedback the site collects: each member was shown the site's 20
picks of the two weeks before the split; the shown papers they did not write (the simulation's
"shown, never saved") train against them. Author names only decide what a simulated member
saved; the models never see them.

    nice -n 10 python benchmarks/recommend.py            # the table (docs/digests.md)
    python benchmarks/recommend.py --json                # the same as JSON
    nice -n 10 python benchmarks/recommend.py --breakdown  # + each step from the anchor to the site
    nice -n 10 python benchmarks/recommend.py --members 100 --seed 1   # a quick subsample
    nice -n 10 python benchmarks/recommend.py --json --split 2026-04-01 --no-embeddings --breakdown
        # April: where CATEGORY_WEIGHT was chosen; --split 2026-03-01: March, where nothing was tuned
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import random
import sys
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import numpy as np
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from djangoenv import configure  # noqa: E402
from vector_cache import cache_path, cached_vectors  # noqa: E402

configure(None, "pf-bench-")

from paperfeed.digests import recommender  # noqa: E402

DATA = ROOT.parent / "shared" / "data"
CACHE = ROOT / ".benchcache" / "recommend"
ANCHOR = "tf-idf SVM (arxiv-sanity-lite, the anchor)"
ANCHOR_MAX_FEATURES = 50_000
ANCHOR_C = 0.1
TEXT = "tf-idf SVM, every term + negatives (text alone)"
USED = "tf-idf + categories SVM + negatives (used)"
HYBRID = "tf-idf + categories SVM + embeddings + negatives (hybrid)"


def load_papers(path: Path) -> list[dict]:
    with gzip.open(path, "rt") as fh:
        return [json.loads(line) for line in fh]


def load_hf_upvotes(path: Path) -> dict[str, int]:
    votes: dict[str, int] = {}
    with gzip.open(path, "rt") as fh:
        for line in fh:
            paper = json.loads(line).get("item", {}).get("paper") or {}
            pid, up = paper.get("id"), paper.get("upvotes")
            if pid and isinstance(up, int):
                votes[pid] = max(votes.get(pid, 0), up)
    return votes


def dcg(relevant_ranks: list[int], k: int) -> float:
    return sum(1.0 / np.log2(r + 2) for r in relevant_ranks if r < k)


def metrics(order: np.ndarray, relevant: set[int], k_ndcg: int = 10, k_recall: int = 50) -> tuple[float, float]:
    """order: candidate positions best first; relevant: candidate positions that are relevant."""
    ranks = [r for r, idx in enumerate(order[: max(k_ndcg, k_recall)]) if idx in relevant]
    ideal = dcg(list(range(min(len(relevant), k_ndcg))), k_ndcg)
    ndcg = dcg(ranks, k_ndcg) / ideal if ideal else 0.0
    recall = sum(1 for r in ranks if r < k_recall) / len(relevant)
    return ndcg, recall


@dataclass
class Split:
    """Rows = the test window (the candidates), then members' training papers, then the two weeks before."""

    rows: list[dict]
    window: int
    members: list[str]
    positives: dict[str, list[int]]
    relevant: dict[str, set[int]]
    shown_pool: list[int]


def build_split(papers: list[dict], args) -> Split:
    split = date.fromisoformat(args.split)
    end = split + timedelta(days=args.window_days)
    train = [p for p in papers if p["date"] < split.isoformat()]
    window = [p for p in papers if split.isoformat() <= p["date"] < end.isoformat()]
    by_author_train: dict[str, list[dict]] = defaultdict(list)
    for p in train:
        for a in p["authors"]:
            by_author_train[a].append(p)
    window_pos = {p["id"]: i for i, p in enumerate(window)}
    by_author_test: dict[str, set[int]] = defaultdict(set)
    for p in window:
        for a in p["authors"]:
            by_author_test[a].add(window_pos[p["id"]])
    members = sorted(
        a for a, ps in by_author_train.items()
        if len(ps) >= args.min_train and len(by_author_test.get(a, ())) >= args.min_test
    )
    if len(members) > args.members:
        members = sorted(random.Random(args.seed).sample(members, args.members))
    train_rows = {a: sorted(by_author_train[a], key=lambda p: p["date"])[-args.max_train:] for a in members}
    extra_ids: dict[str, int] = {}
    extra: list[dict] = []
    for a in members:
        for p in train_rows[a]:
            if p["id"] not in extra_ids:
                extra_ids[p["id"]] = len(window) + len(extra)
                extra.append(p)
    shown_from = (split - timedelta(days=14)).isoformat()
    taken = {p["id"] for p in window + extra}
    before = [p for p in train if p["date"] >= shown_from and p["id"] not in taken]
    shown_pool = [extra_ids[p["id"]] for p in train if p["date"] >= shown_from and p["id"] in extra_ids]
    shown_pool += list(range(len(window) + len(extra), len(window) + len(extra) + len(before)))
    return Split(window + extra + before, len(window), members,
                 {a: [extra_ids[p["id"]] for p in train_rows[a]] for a in members},
                 {a: by_author_test[a] for a in members}, shown_pool)


def embed(rows: list[dict], console: Console) -> np.ndarray | None:
    """The search app's vectors of every row, cached by arXiv id (a killed run resumes)."""
    try:
        from paperfeed.search.embedder import Embedder, paper_text
    except ImportError as error:
        console.print(f"[yellow]embeddings unavailable ({error}); skipping")
        return None
    embedder = Embedder.default()
    path = cache_path(CACHE, embedder)
    started = time.perf_counter()
    texts = {p["id"]: paper_text(p["title"], p["abstract"]) for p in rows}
    vectors = cached_vectors(path, texts, embedder, chunk=1024, progress=True,
                             say=lambda done: console.print(f"{done} in {time.perf_counter() - started:.0f}s"))
    return np.vstack([vectors[p["id"]] for p in rows])


def shown_negatives(features, positive: list[int], pool: list[int], rows: list[dict], author: str,
                    shown: int) -> list[int]:
    """The site's picks of the two weeks before the split that the member did not write (never saved)."""
    pool = [row for row in pool if row not in set(positive)]
    scores = recommender.score(features, positive, pool, method="svm")
    top = [pool[i] for i in np.argsort(-scores, kind="stable")[:shown]]
    return [row for row in top if author not in rows[row]["authors"]]


def rankers(anchor_features, text, features, vectors, breakdown: bool):
    """name -> (score function of (positive, candidates, negative), whether it gets the negatives).

    ``breakdown`` adds the steps between the anchor and the site's method: every term and C alone,
    then the member's negatives, before the categories join.
    """
    def score(matrix, method, **kwargs):
        return lambda pos, cands, neg: recommender.score(matrix, pos, cands, method=method, negative=neg, **kwargs)

    table = {"tf-idf centroid": (score(text, "centroid"), False),
             ANCHOR: (score(anchor_features, "svm", c=ANCHOR_C), False)}
    if breakdown:
        table[f"tf-idf SVM, every term, C = {recommender.C:g}"] = (score(text, "svm"), False)
        table[TEXT] = (score(text, "svm"), True)
    table[USED] = (score(features, "svm"), True)
    if vectors is not None:
        table["embeddings centroid"] = (score(vectors, "centroid"), False)
        table[HYBRID] = (score(features, "fusion", vectors=vectors), True)
    return table


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--split", default="2026-05-01", help="first day of the test window")
    parser.add_argument("--window-days", type=int, default=31)
    parser.add_argument("--min-train", type=int, default=5)
    parser.add_argument("--min-test", type=int, default=2)
    parser.add_argument("--max-train", type=int, default=50, help="newest N training papers per member")
    parser.add_argument("--members", type=int, default=300, help="sample at most this many members")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--embeddings", action=argparse.BooleanOptionalAction, default=True,
                        help="the rows with sentence embeddings (the site's method among them)")
    parser.add_argument("--breakdown", action="store_true", help="also each step between anchor and site")
    parser.add_argument("--shown", type=int, default=20, help="picks each member was shown before the split")
    parser.add_argument("--json", action="store_true", help="print the table as JSON")
    args = parser.parse_args()
    console = Console(stderr=args.json)  # with --json, stdout holds only the JSON
    started = time.perf_counter()

    papers = load_papers(args.data / "arxiv_daily.jsonl.gz")
    votes = load_hf_upvotes(args.data / "hf_daily_papers.jsonl.gz")
    data = build_split(papers, args)
    window = data.rows[: data.window]
    console.print(f"{len(papers)} papers; test window from {args.split} ({data.window} candidates); "
                  f"{len(data.members)} simulated members")
    texts = [recommender.paper_text(p["title"], p["abstract"]) for p in data.rows]
    t0 = time.perf_counter()
    anchor_features = recommender.tfidf(texts, max_features=ANCHOR_MAX_FEATURES)
    text = recommender.tfidf(texts)
    features = recommender.with_categories(text, [p["categories"] for p in data.rows])
    console.print(f"tf-idf {anchor_features.shape} (anchor) and {text.shape}, with categories {features.shape}, "
                  f"in {time.perf_counter() - t0:.1f}s")
    vectors = embed(data.rows, console) if args.embeddings else None

    candidates = list(range(data.window))
    dates = np.array([p["date"] for p in window])
    recency_order = np.lexsort((-np.arange(data.window), dates))[::-1]
    hf = np.array([votes.get(p["id"], 0) for p in window], dtype=np.float64)
    methods: dict[str, list[tuple[float, float]]] = defaultdict(list)
    timings: dict[str, float] = defaultdict(float)
    table = rankers(anchor_features, text, features, vectors, args.breakdown)
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task("members", total=len(data.members))
        for a in data.members:
            relevant, positive = data.relevant[a], data.positives[a]
            member_rng = np.random.default_rng(int(hashlib.sha256(f'{args.seed}:{a}'.encode()).hexdigest()[:8], 16))
            methods["random"].append(metrics(member_rng.permutation(data.window), relevant))
            methods["recency"].append(metrics(recency_order, relevant))
            methods["trending (HF upvotes)"].append(metrics(np.lexsort((member_rng.random(data.window), -hf)), relevant))
            negative = shown_negatives(features, positive, data.shown_pool, data.rows, a, args.shown)
            for name, (rank, with_negatives) in table.items():
                t = time.perf_counter()
                scores = rank(positive, candidates, negative if with_negatives else [])
                timings[name] += time.perf_counter() - t
                methods[name].append(metrics(np.argsort(-scores, kind="stable"), relevant))
            progress.advance(task)

    title = (f"Recommendations: {len(data.members)} members, {data.window} candidates "
             f"({int((hf > 0).sum())} with HF votes), split {args.split}")
    report(console, title, methods, timings, len(data.members), args.json)
    if not args.json:
        console.print(f"done in {time.perf_counter() - started:.0f}s")
    return 0


def paired_interval(values: np.ndarray, anchor: np.ndarray, draws: int = 2000) -> tuple[float, float]:
    """95 % bootstrap interval of the change against the anchor (%), members resampled in pairs.

    Most members score 0 with every method, so a few members carry the mean: the interval says how
    far apart two rows can be by the draw of members alone.
    """
    picks = np.random.default_rng(0).integers(0, len(values), size=(draws, len(values)))
    base = anchor[picks].mean(axis=1)
    change = 100 * (values[picks].mean(axis=1) / np.where(base > 0, base, np.nan) - 1)
    low, high = np.nanpercentile(change, [2.5, 97.5])
    return round(float(low), 1), round(float(high), 1)


def report(console: Console, title: str, methods: dict, timings: dict, members: int, as_json: bool) -> None:
    """The table (or JSON): nDCG@10, Recall@50, time per member, and the change against the anchor."""
    anchor_values = np.array([v[0] for v in methods[ANCHOR]])
    anchor = float(anchor_values.mean())
    rows = []
    for name, values in methods.items():
        arr = np.array(values)
        ndcg = float(arr[:, 0].mean())
        rows.append({"method": name, "ndcg@10": round(ndcg, 4), "recall@50": round(float(arr[:, 1].mean()), 4),
                     "ms_per_member": round(1000 * timings[name] / members) if name in timings else None,
                     "vs_anchor_pct": round(100 * (ndcg / anchor - 1), 1) if anchor else None,
                     "vs_anchor_ci95": paired_interval(arr[:, 0], anchor_values) if anchor else None})
    if as_json:
        print(json.dumps({"title": title, "anchor": ANCHOR, "members": members, "rows": rows}, indent=2))
        return
    table = Table(title=title)
    for column in ("method", "nDCG@10", "Recall@50", "ms/member", "vs anchor", "95 % interval"):
        table.add_column(column, justify="left" if column == "method" else "right")
    for row in rows:
        ms = "-" if row["ms_per_member"] is None else str(row["ms_per_member"])
        low, high = row["vs_anchor_ci95"]
        table.add_row(row["method"], f"{row['ndcg@10']:.3f}", f"{row['recall@50']:.3f}", ms,
                      f"{row['vs_anchor_pct']:+.1f} %", f"{low:+.1f} to {high:+.1f} %")
    console.print(table)


if __name__ == "__main__":
    raise SystemExit(main())
