"""Similar papers' cost per paper page at 75k papers, beside references measured in the same run.

The database and index are those of ``benchmarks/search_latency.py`` (every corpus paper stored
through ``upsert_papers``, indexed by ``paperfeed index``; built once under
``.benchcache/search/service-data``). In one warm process each query paper, drawn with a fixed
seed from the prefix with real vectors, is one call of
:func:`paperfeed.search.similar.similar_papers` (its vector, the more-like-this terms, BM25,
dense neighbours, exact cross-scores, the candidates' texts from the database, their words and
word pairs with the index's frequencies, fusion, visible papers), timed beside:

* the same calls with the word and pair frequencies a process keeps per index generation
  (:class:`paperfeed.search.word_pairs.Statistics`) forgotten before each paper: what the first
  paper page a worker serves after a new generation costs;
* the ranking of before (the same BM25 + dense pool fused by :func:`paperfeed.search.hybrid.fuse`,
  the visible papers of its head from the database), without the words, pairs and categories;
* the dense neighbours alone (one scan of the same vectors: what similar papers cost before
  they used both kinds of evidence);
* a no-op database query.

Wall-clock and process CPU milliseconds are both reported: on a shared machine the wall clock
includes waiting for a core.

    python benchmarks/similar_latency.py            # a table
    python benchmarks/similar_latency.py --json     # one JSON object
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from search_latency import percentiles, serving_corpus  # noqa: E402

SEED = 20260712
PAPERS = 200
DEPTH = 101  # the dense side's depth in similar_pool, plus the paper itself


def timed(fn, items, cpu: list[float]) -> list[float]:
    """Wall-clock ms per call; ``cpu`` collects this process's CPU ms per call (all its threads)."""
    out = []
    for item in items:
        c, t = time.process_time(), time.perf_counter()
        fn(item)
        out.append((time.perf_counter() - t) * 1000)
        cpu.append((time.process_time() - c) * 1000)
    return out


def run(n: int = PAPERS) -> dict:
    from django.db import connection

    from paperfeed.papers.models import Paper
    from paperfeed.search import word_pairs
    from paperfeed.search.hybrid import fuse
    from paperfeed.search.reader import current
    from paperfeed.search.similar import similar_papers, similar_pool

    corpus, real = serving_corpus(cap_blas=False)
    ids = random.Random(SEED).sample([p["id"] for p in corpus[:real]], n + 20)
    found = Paper.objects.in_bulk(ids, field_name="arxiv_id")
    papers = [found[i] for i in ids if i in found]
    warm, papers = papers[:20], papers[20:]
    for paper in warm:  # index open, statements prepared
        similar_papers(paper)
    vectors = current().vectors
    paper_vectors = vectors.vectors_for([p.pk for p in papers])

    def noop(_):
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()

    def before(paper):  # the pool fused as similar papers were ranked before the words, pairs and categories
        snapshot = current()
        vector = snapshot.vectors.vectors_for([paper.pk])[paper.pk]
        pool = similar_pool(snapshot.lexical, snapshot.vectors, paper.pk, paper.title, paper.abstract, vector)
        list(Paper.objects.visible().in_bulk([c.pk for c in fuse(pool)][:28]).values())

    def cold(paper):
        word_pairs.forget()  # the first paper page a worker serves in a generation
        similar_papers(paper)

    cpu: list[float] = []
    cold_cpu: list[float] = []
    before_cpu: list[float] = []
    dense_cpu: list[float] = []
    wall = timed(similar_papers, papers, cpu)
    timed(cold, papers, cold_cpu)
    before_wall = timed(before, papers, before_cpu)
    report = {"docs": len(vectors), "real_vectors": real, "database": connection.vendor, "papers": len(papers),
              "similar_papers()_ms_p50_p95_p99": wall,
              "similar_papers()_process_cpu_ms_p50_p95_p99": cpu,
              "similar_papers()_frequencies_forgotten_process_cpu_ms_p50_p95_p99": cold_cpu,
              "before:_BM25_+_dense_pool_fused_ms_p50_p95_p99": before_wall,
              "before:_BM25_+_dense_pool_fused_process_cpu_ms_p50_p95_p99": before_cpu,
              "dense_neighbours_alone_ms_p50_p95_p99": timed(lambda p: vectors.search(paper_vectors[p.pk], DEPTH),
                                                             papers, dense_cpu),
              "dense_neighbours_alone_process_cpu_ms_p50_p95_p99": dense_cpu,
              "noop_db_query_ms_p50_p95_p99": timed(noop, papers, [])}
    report = {k: [round(x, 2) for x in percentiles(v)] if isinstance(v, list) else v for k, v in report.items()}
    report["load_avg"] = [round(x, 2) for x in os.getloadavg()]
    return report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--papers", type=int, default=PAPERS, help="query papers timed")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    args = parser.parse_args()
    report = run(args.papers)
    if args.json:
        print(json.dumps(report))
        return 0
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"Similar papers per paper page: {report['papers']} papers, {report['docs']:,} indexed "
                        f"({report['real_vectors']:,} real vectors), {report['database']}, "
                        f"load average {report['load_avg']}")
    for col in ("what", "p50 ms", "p95 ms", "p99 ms"):
        table.add_column(col, justify="left" if col == "what" else "right")
    for key, value in report.items():
        if key.endswith("_p50_p95_p99"):
            table.add_row(key.removesuffix("_p50_p95_p99"), *(f"{x:.2f}" for x in value))
    Console(width=160).print(table)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
