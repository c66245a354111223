"""End-to-end search latency on the 74,728-paper arXiv corpus (and a 1M-document replica).

One process, warm, single query at a time: embed the query + BM25 (tantivy) + dense
(exact scan or HNSW) + fusion + filters — the product's own code (paperfeed.search.lexical
/ vectors / hybrid), minus loading the page's rows from the database. Prints p50/p95/p99,
index sizes and RSS.

    nice -n 19 python benchmarks/search_corpus.py        # once: embed the corpus (15-20+ min)
    python benchmarks/search_latency.py                  # 75k: exact dense scan, as shipped
    python benchmarks/search_latency.py --scale 1000000  # 1M: corpus replicated with new ids
                                                         # (perturbed vectors), HNSW, recall@10

At 1M the lexical index holds the corpus text 13-14 times under new ids, and the vectors
are the real ones plus small Gaussian noise (re-normalised), so the ANN graph is not fed
exact duplicates. ANN recall@10 is measured against an exact scan of the same vectors.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))
from djangoenv import configure  # noqa: E402

configure(None, "pf-bench-")

from search_corpus import CACHE, corpus_vectors, load_corpus  # noqa: E402

from paperfeed.search.embedder import Embedder  # noqa: E402
from paperfeed.search.hybrid import dense_mask, retrieve  # noqa: E402
from paperfeed.search.lexical import LexicalDoc, LexicalIndex  # noqa: E402
from paperfeed.search.query import parse_query  # noqa: E402
from paperfeed.search.vectors import HnswParams, VectorSet  # noqa: E402

_STOP = {"a", "an", "the", "of", "for", "and", "in", "on", "with", "to", "via", "from", "by", "is", "are"}


def dir_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def rss_mb() -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def make_queries(papers: list[dict], n: int, seed: int = 7) -> list[str]:
    """Short queries from title words (2-4 content words); a quarter carry a filter."""
    rng = random.Random(seed)
    out = []
    while len(out) < n:
        p = rng.choice(papers)
        words = [w.strip(":,.()") for w in p["title"].split() if w.lower() not in _STOP and len(w) > 2]
        if len(words) < 2:
            continue
        start = rng.randrange(0, max(1, len(words) - 2))
        q = " ".join(words[start : start + rng.randint(2, 4)])
        kind = rng.random()
        if kind < 0.10:
            q += f" cat:{p['categories'][0]}"
        elif kind < 0.20:
            q += " after:2026-01-01"
        elif kind < 0.25 and p["authors"]:
            q += f' author:"{p["authors"][0]}"'
        out.append(q)
    return out


def percentiles(ms: list[float]) -> tuple[float, float, float]:
    a = np.asarray(ms)
    return float(np.percentile(a, 50)), float(np.percentile(a, 95)), float(np.percentile(a, 99))


def build_lexical(papers: list[dict], path: Path, copies: int, total: int) -> LexicalIndex:
    from datetime import date

    from rich.progress import Progress

    index = LexicalIndex.create(path)

    def docs():
        pk = 0
        for _copy in range(copies):
            for p in papers:
                if pk >= total:
                    return
                yield LexicalDoc(pk, p["title"], p["abstract"], p["authors"], p["categories"],
                                 date.fromisoformat(p["date"]))
                pk += 1
                if pk % 5000 == 0:
                    bar.update(task, completed=pk)

    with Progress(transient=True) as bar:
        task = bar.add_task("lexical index", total=total)
        writer_docs = docs()
        # Large commits: one writer, several threads when the machine has them.
        writer = index.index.writer(heap_size=512_000_000, num_threads=min(4, os.cpu_count() or 1))
        for doc in writer_docs:
            writer.add_document(index._document(doc))
        writer.commit()
        writer.wait_merging_threads()
    index.reload()
    return index


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=int, default=0, help="documents (default: the corpus as is)")
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--noise", type=float, default=0.02, help="vector noise for replicas (std per dim)")
    parser.add_argument("--ef", type=int, default=HnswParams.expansion_search, help="HNSW expansion_search")
    parser.add_argument("--skip-lexical", action="store_true", help="1M: measure the dense side only")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    papers = load_corpus()
    vectors = corpus_vectors(papers, progress=True)
    embedder = Embedder.default()
    total = args.scale or len(papers)
    copies = -(-total // len(papers))
    work = Path(tempfile.mkdtemp(prefix="pf-latency-", dir=CACHE))
    report: dict = {"docs": total, "embedder": embedder.fingerprint}
    try:
        t0 = time.perf_counter()
        if total > len(papers):
            rng = np.random.default_rng(0)
            parts = [vectors]
            for _ in range(1, copies):
                noisy = vectors + rng.normal(scale=args.noise, size=vectors.shape).astype(np.float32)
                parts.append(noisy / np.linalg.norm(noisy, axis=1, keepdims=True))
            matrix = np.vstack(parts)[:total]
        else:
            matrix = vectors
        pks = np.arange(total, dtype=np.int64)
        days = np.tile(np.asarray([int(p["date"].replace("-", "")) for p in papers], dtype=np.int32), copies)[:total]
        cats = [p["categories"] for p in papers] * copies
        os.environ["PAPERFEED_SEARCH_EXACT_MAX"] = os.environ.get("PAPERFEED_SEARCH_EXACT_MAX", "200000")
        VectorSet.write(work / "vectors", pks, matrix, days, cats[:total])
        vset = VectorSet.load(work / "vectors")
        report["vector_build_s"] = round(time.perf_counter() - t0, 1)
        report["dense_mode"] = "hnsw" if vset.hnsw is not None else "exact"
        report["vector_dir_mb"] = round(dir_size(work / "vectors") / 2**20, 1)
        if vset.hnsw is not None:
            vset.hnsw.expansion_search = args.ef
        queries = make_queries(papers, args.queries)
        qvecs = [embedder.encode_query(parse_query(q).text) for q in queries]

        if vset.hnsw is not None:
            exact = matrix.astype(np.float32)
            recalls = []
            for qv in qvecs[:200]:
                truth = set(np.argpartition(-(exact @ qv), 10)[:10].tolist())
                got = {pk for pk, _ in vset.search(qv, 10)}
                recalls.append(len(truth & got) / 10)
            report["ann_recall@10"] = round(float(np.mean(recalls)), 4)
            del exact
            ann_ms = []
            for qv in qvecs:
                t = time.perf_counter()
                vset.search(qv, 100)
                ann_ms.append((time.perf_counter() - t) * 1000)
            report["ann_ms_p50_p95_p99"] = [round(x, 2) for x in percentiles(ann_ms)]

        if args.skip_lexical:
            lexical = None
        else:
            t0 = time.perf_counter()
            lexical = build_lexical(papers, work / "lexical", copies, total)
            report["lexical_build_s"] = round(time.perf_counter() - t0, 1)
            report["lexical_dir_mb"] = round(dir_size(work / "lexical") / 2**20, 1)

        def one(q: str) -> None:
            parsed = parse_query(q)
            from paperfeed.search.lexical import Filters

            filters = Filters(tuple(parsed.categories), tuple(parsed.authors), parsed.after, parsed.before)
            qv = embedder.encode_query(parsed.text)
            if lexical is None:
                vset.search(qv, 100, dense_mask(vset, None, filters) if filters and not filters.authors else None)
            else:
                retrieve(lexical, vset, parsed.words, parsed.phrases, qv, filters)

        for q in queries[:20]:  # warm up
            one(q)
        timings, embed_ms = [], []
        for q in queries:
            t = time.perf_counter()
            embedder.encode_query(parse_query(q).text)
            embed_ms.append((time.perf_counter() - t) * 1000)
            t = time.perf_counter()
            one(q)
            timings.append((time.perf_counter() - t) * 1000)
        report["queries"] = len(queries)
        report["end_to_end_ms_p50_p95_p99"] = [round(x, 2) for x in percentiles(timings)]
        report["query_embed_ms_p50_p95_p99"] = [round(x, 2) for x in percentiles(embed_ms)]
        report["rss_mb"] = round(rss_mb(), 0)
        report["load_avg"] = [round(x, 2) for x in os.getloadavg()]
    finally:
        shutil.rmtree(work, ignore_errors=True)

    if args.json:
        print(json.dumps(report))
        return 0
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"Search latency, {total:,} documents, one process, warm ({report['dense_mode']} dense)")
    table.add_column("measure")
    table.add_column("value", justify="right")
    for key, value in report.items():
        table.add_row(key, ", ".join(map(str, value)) if isinstance(value, list) else str(value))
    Console().print(table)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
