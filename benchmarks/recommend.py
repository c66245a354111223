"""Offline benchmark for personal recommendations, on real arXiv listings.

Protocol (simulated members): every author with at least ``--min-train`` papers listed before
``--split`` and at least ``--min-test`` papers in the test window [split, split + window) is
a member whose "saved papers" are their papers before the split. Each method ranks *all*
papers of the test window for that member; the member's own papers in the window are the
relevant ones (we never show the model author names, only title + abstract, so this measures
topic match). Metrics: nDCG@10 and Recall@50, averaged over members.

Baselines: random order, recency (newest first), trending (Hugging Face upvotes from
hf_daily_papers.jsonl.gz — what a member gets on cold start). Methods (``recommender.METHODS``):
nearest centroid, a per-member linear SVM (arxiv-sanity-lite's method: the anchor to beat) and
``fusion`` (SVM + nearest neighbours, z-scored), over tf-idf, and with ``--embeddings`` also over
the search app's sentence embeddings and tf-idf+embeddings (vectors are cached in
.benchcache/recommend/, keyed by the embedder fingerprint).

"+ negatives" rows add the feedback the site collects: each member was shown the site's 20
picks of the two weeks before the split; the shown papers they did not write (the simulation's
"shown, never saved") train against them. Author names only decide what a simulated member
saved; the models never see them.

    nice -n 10 python benchmarks/recommend.py                  # tf-idf + baselines
    nice -n 10 python benchmarks/recommend.py --embeddings     # + embeddings (first run embeds)
    python benchmarks/recommend.py --embeddings --json         # the table as JSON
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

configure(None, "pf-bench-")

from paperfeed.digests import recommender  # noqa: E402

DATA = ROOT.parent / "shared" / "data"
CACHE = ROOT / ".benchcache" / "recommend"


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


def embed(texts: list[str], ids: list[str], console: Console) -> np.ndarray | None:
    try:
        from paperfeed.search.embedder import Embedder
    except ImportError as error:
        console.print(f"[yellow]embeddings unavailable ({error}); skipping")
        return None
    embedder = Embedder.default()
    key = hashlib.sha256(("\n".join(ids) + embedder.fingerprint).encode()).hexdigest()[:20]
    path = CACHE / f"{key}.npy"
    if path.exists():
        return np.load(path)
    CACHE.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    vectors = embedder.encode(texts, progress=True)
    console.print(f"embedded {len(texts)} texts in {time.perf_counter() - started:.0f}s → {path}")
    np.save(path, vectors)
    return vectors


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
    parser.add_argument("--embeddings", action="store_true", help="also score with sentence embeddings")
    parser.add_argument("--shown", type=int, default=20, help="picks each member was shown before the split")
    parser.add_argument("--json", action="store_true", help="print the table as JSON")
    args = parser.parse_args()
    console = Console(stderr=args.json)  # with --json, stdout holds only the JSON
    started = time.perf_counter()

    papers = load_papers(args.data / "arxiv_daily.jsonl.gz")
    votes = load_hf_upvotes(args.data / "hf_daily_papers.jsonl.gz")
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
    rng = random.Random(args.seed)
    if len(members) > args.members:
        members = sorted(rng.sample(members, args.members))
    console.print(
        f"{len(papers)} papers; train < {split} ({len(train)}), test window {split}…{end - timedelta(days=1)} "
        f"({len(window)} candidates); {len(members)} simulated members"
    )

    # One feature space: the window (candidates) + every member's training papers.
    train_rows: dict[str, list[dict]] = {
        a: sorted(by_author_train[a], key=lambda p: p["date"])[-args.max_train:] for a in members
    }
    extra_ids: dict[str, int] = {}
    extra: list[dict] = []
    for a in members:
        for p in train_rows[a]:
            if p["id"] not in extra_ids:
                extra_ids[p["id"]] = len(window) + len(extra)
                extra.append(p)
    # The two weeks before the split: what members were shown before (rows after the others, so the
    # embedding cache of window + training papers stays valid).
    shown_from = (split - timedelta(days=14)).isoformat()
    taken = {p["id"] for p in window + extra}
    before = [p for p in train if p["date"] >= shown_from and p["id"] not in taken]
    shown_pool = [extra_ids.get(p["id"]) for p in train if p["date"] >= shown_from and p["id"] in extra_ids]
    shown_pool += list(range(len(window) + len(extra), len(window) + len(extra) + len(before)))
    rows = window + extra + before
    texts = [recommender.paper_text(p["title"], p["abstract"]) for p in rows]
    t0 = time.perf_counter()
    text_features = recommender.tfidf(texts)
    console.print(f"tf-idf {text_features.shape} in {time.perf_counter() - t0:.1f}s")
    feature_sets = {"tfidf": text_features}
    if args.embeddings:
        base = len(window) + len(extra)
        parts = [embed(texts[:base], [p["id"] for p in rows[:base]], console),
                 embed(texts[base:], [p["id"] for p in rows[base:]], console)]
        if all(part is not None for part in parts):
            vectors = np.vstack(parts)
            feature_sets["emb"] = vectors
            feature_sets["tfidf+emb"] = recommender.combine(text_features, vectors)

    candidates = list(range(len(window)))
    dates = np.array([p["date"] for p in window])
    recency_order = np.lexsort((-np.arange(len(window)), dates))[::-1]
    hf = np.array([votes.get(p["id"], 0) for p in window], dtype=np.float64)
    window_with_votes = int((hf > 0).sum())

    methods: dict[str, list[tuple[float, float]]] = defaultdict(list)
    timings: dict[str, float] = defaultdict(float)
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task("members", total=len(members))
        for a in members:
            relevant = by_author_test[a]
            positive = [extra_ids[p["id"]] for p in train_rows[a]]
            member_rng = np.random.default_rng(int(hashlib.sha256(f'{args.seed}:{a}'.encode()).hexdigest()[:8], 16))
            methods["random"].append(metrics(member_rng.permutation(len(window)), relevant))
            methods["recency"].append(metrics(recency_order, relevant))
            trending_order = np.lexsort((member_rng.random(len(window)), -hf))
            methods["trending (HF upvotes)"].append(metrics(trending_order, relevant))
            for fname, features in feature_sets.items():
                for method in recommender.METHODS:
                    t = time.perf_counter()
                    scores = recommender.score(features, positive, candidates, method=method)
                    timings[f"{fname} {method}"] += time.perf_counter() - t
                    order = np.argsort(-scores, kind="stable")
                    methods[f"{fname} {method}"].append(metrics(order, relevant))
                name = f"{fname} fusion + negatives"
                t = time.perf_counter()
                negative = shown_negatives(features, positive, shown_pool, rows, a, args.shown)
                scores = recommender.score(features, positive, candidates, method="fusion", negative=negative)
                timings[name] += time.perf_counter() - t
                methods[name].append(metrics(np.argsort(-scores, kind="stable"), relevant))
            progress.advance(task)

    title = (f"Recommendations: {len(members)} members, {len(window)} candidates "
             f"({window_with_votes} with HF votes), split {split}")
    report(console, title, methods, timings, len(members), args.json)
    if not args.json:
        console.print(f"done in {time.perf_counter() - started:.0f}s")
    return 0


def shown_negatives(features, positive: list[int], pool: list[int], rows: list[dict], author: str,
                    shown: int) -> list[int]:
    """The site's picks of the two weeks before the split that the member did not write (never saved)."""
    pool = [row for row in pool if row not in set(positive)]
    scores = recommender.score(features, positive, pool, method="fusion")
    top = [pool[i] for i in np.argsort(-scores, kind="stable")[:shown]]
    return [row for row in top if author not in rows[row]["authors"]]


ANCHOR = "tfidf svm"  # arxiv-sanity-lite's method


def report(console: Console, title: str, methods: dict, timings: dict, members: int, as_json: bool) -> None:
    """The table (or JSON): nDCG@10, Recall@50, time per member, and the change against the anchor."""
    anchor = float(np.mean([v[0] for v in methods[ANCHOR]]))
    rows = []
    for name, values in methods.items():
        arr = np.array(values)
        ndcg = float(arr[:, 0].mean())
        rows.append({"method": name, "ndcg@10": round(ndcg, 4), "recall@50": round(float(arr[:, 1].mean()), 4),
                     "ms_per_member": round(1000 * timings[name] / members) if name in timings else None,
                     "vs_anchor_pct": round(100 * (ndcg / anchor - 1), 1) if anchor else None})
    if as_json:
        print(json.dumps({"title": title, "anchor": ANCHOR, "members": members, "rows": rows}, indent=2))
        return
    table = Table(title=title)
    for column in ("method", "nDCG@10", "Recall@50", "ms/member", f"vs {ANCHOR}"):
        table.add_column(column, justify="left" if column == "method" else "right")
    for row in rows:
        ms = "-" if row["ms_per_member"] is None else str(row["ms_per_member"])
        table.add_row(row["method"], f"{row['ndcg@10']:.3f}", f"{row['recall@50']:.3f}", ms,
                      f"{row['vs_anchor_pct']:+.1f} %")
    console.print(table)


if __name__ == "__main__":
    raise SystemExit(main())
