"""Benchmark the paperfeed embedder: SciFact nDCG@10 (dense, exact cosine), docs/s, query latency.

Usage::

    python benchmarks/embedder.py                        # the shipped model, its max_len
    python benchmarks/embedder.py --max-len 128 192 256  # other truncation lengths
    python benchmarks/embedder.py --variants shipped fp32_opt int8_raw_pc \\
        --variants-dir .benchcache/embedder              # files from export_embedder.py --variants-dir
    python benchmarks/embedder.py --splits train --docs 500   # quicker exploration

Data: ``../shared/data`` (SciFact BEIR split, arXiv daily abstracts), or ``$PAPERFEED_DATA``.
SciFact corpus embeddings are cached under ``.benchcache/embedder/`` keyed by the
embedder fingerprint, so re-running with other splits is cheap. Select settings on the
*train* queries; report test.
"""

from __future__ import annotations

import argparse
import gzip
import json
import math
import os
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from djangoenv import configure  # noqa: E402

configure(None, "pf-bench-")

from paperfeed.search.embedder import MODEL_DIR, Embedder, normalize_text, paper_text  # noqa: E402


def data_dir() -> Path:
    env = os.environ.get("PAPERFEED_DATA")
    if env:
        return Path(env)
    for cand in (REPO.parent / "shared" / "data", Path("/work/shared/data")):
        if cand.is_dir():
            return cand
    sys.exit("data not found: set PAPERFEED_DATA to the shared data folder")


def load_scifact(d: Path) -> tuple[list[str], list[str], dict[str, dict[str, str]], dict[str, dict[str, dict[str, int]]]]:
    ids, docs = [], []
    with gzip.open(d / "scifact" / "corpus.jsonl.gz", "rt", encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            ids.append(str(r["_id"]))
            docs.append((r.get("title") or "", r.get("text") or ""))
    queries: dict[str, dict[str, str]] = {}
    qrels: dict[str, dict[str, dict[str, int]]] = {}
    for split in ("train", "test"):
        q: dict[str, str] = {}
        with open(d / "scifact" / f"queries_{split}.jsonl", encoding="utf-8") as f:
            for line in f:
                r = json.loads(line)
                q[str(r["_id"])] = r["text"]
        rel: dict[str, dict[str, int]] = defaultdict(dict)
        with open(d / "scifact" / f"qrels_{split}.tsv", encoding="utf-8") as f:
            next(f)
            for line in f:
                qid, did, score = line.rstrip("\n").split("\t")
                rel[qid][did] = int(score)
        queries[split] = {k: v for k, v in q.items() if k in rel}
        qrels[split] = dict(rel)
    return ids, docs, queries, qrels


def ndcg_at_10(scores: np.ndarray, qids: list[str], doc_ids: list[str], qrels: dict[str, dict[str, int]]) -> float:
    """BEIR-style nDCG@10 (binary/graded gains, identical query/doc ids ignored as BEIR does)."""
    total = 0.0
    for row, qid in enumerate(qids):
        rel = qrels[qid]
        top = np.argpartition(-scores[row], 11)[:11]
        top = top[np.argsort(-scores[row][top])]
        ranked = [doc_ids[i] for i in top if doc_ids[i] != qid][:10]
        dcg = sum(rel.get(did, 0) / math.log2(r + 2) for r, did in enumerate(ranked))
        ideal = sorted(rel.values(), reverse=True)[:10]
        idcg = sum(g / math.log2(r + 2) for r, g in enumerate(ideal))
        total += dcg / idcg if idcg else 0.0
    return total / len(qids)


def load_arxiv(d: Path, n: int) -> list[str]:
    """``n`` real arXiv papers spread over the file (every k-th line), as paper_text()."""
    path = d / "arxiv_daily.jsonl.gz"
    step = max(1, 74_728 // max(n, 1))
    out: list[str] = []
    with gzip.open(path, "rt", encoding="utf-8") as f:
        for i, line in enumerate(f):
            if i % step == 0:
                r = json.loads(line)
                out.append(paper_text(r.get("title"), r.get("abstract")))
                if len(out) >= n:
                    break
    return out


def doc_text(title: str, text: str, mode: str) -> str:
    if mode == "dot":
        return paper_text(title, text)
    if mode == "space":
        return normalize_text(f"{title} {text}")
    if mode == "sep":
        return normalize_text(f"{title} [SEP] {text}")
    if mode == "abstract":
        return normalize_text(text)
    raise ValueError(mode)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--variants", nargs="+", default=["shipped"], help="'shipped' or names of NAME.onnx in --variants-dir")
    ap.add_argument("--variants-dir", type=Path, default=REPO / ".benchcache" / "embedder")
    ap.add_argument("--max-len", type=int, nargs="+", default=[0], help="0 = the model's default")
    ap.add_argument("--splits", nargs="+", default=["train", "test"], choices=["train", "test", "none"])
    ap.add_argument("--docs", type=int, default=2000, help="arXiv abstracts for docs/s (0 = skip)")
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--threads", type=int, default=0, help="0 = PAPERFEED_EMBED_THREADS / default")
    ap.add_argument("--text-mode", default="dot", choices=["dot", "space", "sep", "abstract"])
    ap.add_argument("--queries", type=int, default=200, help="single-query encodes for latency")
    ap.add_argument("--no-cache", action="store_true", help="re-embed SciFact even if cached")
    args = ap.parse_args(argv)

    d = data_dir()
    splits = [s for s in args.splits if s != "none"]
    sci = load_scifact(d) if splits else None
    arxiv = load_arxiv(d, args.docs) if args.docs else []
    cache = REPO / ".benchcache" / "embedder"
    cache.mkdir(parents=True, exist_ok=True)

    rows: list[dict[str, object]] = []
    for variant in args.variants:
        path = MODEL_DIR / "model.onnx" if variant == "shipped" else args.variants_dir / f"{variant}.onnx"
        for max_len in args.max_len:
            emb = Embedder(path, max_seq_len=max_len or None, threads=args.threads or None)
            row: dict[str, object] = {
                "variant": variant,
                "max_len": emb.max_seq_len,
                "MB": path.stat().st_size / 1e6,
            }
            # warm-up (first run allocates/plans)
            emb.encode(["warm up " * 50] * 4)
            if sci is not None:
                doc_ids, docs, queries, qrels = sci
                key = cache / f"scifact_{emb.fingerprint.replace(':', '_')}_{args.text_mode}.npy"
                if key.exists() and not args.no_cache:
                    dvec = np.load(key)
                else:
                    t0 = time.perf_counter()
                    dvec = emb.encode([doc_text(t, x, args.text_mode) for t, x in docs], batch_size=args.batch_size)
                    print(f"  {variant}/{emb.max_seq_len}: SciFact corpus {len(docs) / (time.perf_counter() - t0):.1f} docs/s", flush=True)
                    np.save(key, dvec)
                for split in splits:
                    qids = list(queries[split])
                    qvec = np.stack([emb.encode_query(queries[split][q]) for q in qids])
                    row[f"nDCG@10 {split}"] = ndcg_at_10(qvec @ dvec.T, qids, doc_ids, qrels[split])
            if arxiv:
                t0, c0 = time.perf_counter(), time.process_time()
                emb.encode(arxiv, batch_size=args.batch_size)
                wall = time.perf_counter() - t0
                row["docs/s"] = len(arxiv) / wall
                # CPUs this process actually got (ORT threads spin, so ~threads when alone):
                # well below the thread count means other work shared the cores and the
                # docs/s figure is pessimistic.
                row["CPUs used"] = (time.process_time() - c0) / wall
            if args.queries and sci is not None:
                qs = list(sci[2]["test"].values())[: args.queries]
            else:
                qs = ["graph neural networks for molecule property prediction"] * max(args.queries, 1)
            lat = []
            for q in qs:
                t0 = time.perf_counter()
                emb.encode_query(q)
                lat.append((time.perf_counter() - t0) * 1000)
            row["query p50 ms"] = float(np.percentile(lat, 50))
            row["query p95 ms"] = float(np.percentile(lat, 95))
            rows.append(row)
            print("  " + json.dumps({k: (round(v, 4) if isinstance(v, float) else v) for k, v in row.items()}), flush=True)

    cols = ["variant", "max_len"] + [f"nDCG@10 {s}" for s in splits]
    cols += (["docs/s", "CPUs used"] if arxiv else []) + ["query p50 ms", "query p95 ms", "MB"]
    try:
        from rich.console import Console
        from rich.table import Table

        table = Table(title=f"paperfeed embedder (threads={emb.threads}, batch={args.batch_size}, "
                            f"arXiv docs={len(arxiv)}, text={args.text_mode}, "
                            f"load avg {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)")
        for c in cols:
            table.add_column(c, justify="left" if c == "variant" else "right")
        for r in rows:
            table.add_row(*[_fmt(r.get(c)) for c in cols])
        Console(width=140).print(table)
    except ImportError:  # pragma: no cover - rich is a runtime dependency
        print(" | ".join(cols))
        for r in rows:
            print(" | ".join(_fmt(r.get(c)) for c in cols))
    return 0


def _fmt(v: object) -> str:
    if v is None:
        return "-"
    if isinstance(v, float):
        return f"{v:.3f}" if v < 2 else f"{v:.1f}"
    return str(v)


if __name__ == "__main__":
    raise SystemExit(main())
