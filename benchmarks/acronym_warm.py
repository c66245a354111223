"""Acronym queries in a new generation, cold vs warmed (AcronymTable.warm), at 75k.

    python benchmarks/acronym_warm.py --queries 1500

Takes the acronym queries among ``--queries`` of search_latency.py's queries (same data and index)
and runs each through ``paperfeed.search.service.search`` as the first query of its kind in a
generation, twice per round: once on a fresh acronym table (cold: each spelling builds its kept
scores when first asked) and once on a fresh table warmed as a new generation is
(``AcronymTable.warm``). Everything else is as cold in both (each gets its own fresh table and
ranked lists; the query vectors were computed in a first pass for both). Prints the warm-up's CPU,
the lists it built and their memory, and per round the mean / p95 CPU of the acronym queries and
the kept lists their queries built, cold beside warm.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import search_latency as bench  # noqa: E402  (sets Django up on the benchmark's data dir)


def _fresh(snapshot, warmed: bool) -> tuple[object, float]:
    """Give the snapshot a fresh acronym table (warmed or not) and fresh ranked lists; warm-up CPU ms."""
    from paperfeed.search.acronyms import AcronymTable
    from paperfeed.search.ranked import RankedLists

    table = AcronymTable.load(snapshot.path)
    started = time.process_time()
    if warmed:
        table.warm(snapshot.lexical, snapshot.vectors)
    spent = (time.process_time() - started) * 1000
    snapshot.__dict__["acronyms"], snapshot.__dict__["ranked"] = table, RankedLists()
    return table, spent


def _run(service, queries: list[str]) -> list[float]:
    out = []
    for q in queries:
        started = time.process_time()
        service.search(q)
        out.append((time.process_time() - started) * 1000)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--queries", type=int, default=1500)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    from paperfeed.search import acronyms, service
    from paperfeed.search.query import parse_query
    from paperfeed.search.reader import current

    papers, _ = bench.serving_corpus()
    snapshot = current()
    snapshot.warm()  # as a web worker's warm-up does; the rounds below use fresh tables
    queries = [q for q in bench.make_queries(papers, args.queries)
               if acronyms.expansion(snapshot.acronyms, parse_query(q).words) is not None]
    _fresh(snapshot, warmed=False)
    _run(service, queries)  # query vectors and the rest of the process warm for both sides
    table, warm_ms = _fresh(snapshot, warmed=True)
    kept = [scores for _, scores in table._kept.values()]
    size = sum(k.pks.nbytes + k.scores.nbytes + k.best_first.nbytes + k.places.nbytes for k in kept)
    print(f"{len(queries)} acronym queries of {args.queries}; load {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    print(f"warm-up: {warm_ms:.0f} ms CPU, {table.built} kept lists, {size / 1e6:.1f} MB "
          f"({acronyms.WARM_ACRONYMS} acronyms, bound {acronyms.WARM_SECONDS:.1f} s)")
    for round_ in range(args.rounds):
        for warmed in (False, True):
            table, _ = _fresh(snapshot, warmed)
            before = table.built
            spent = _run(service, queries)
            print(f"round {round_ + 1} {'warm' if warmed else 'cold'}: mean {np.mean(spent):6.2f} ms  "
                  f"p95 {np.percentile(spent, 95):6.2f}  max {max(spent):6.1f}  lists built by queries "
                  f"{table.built - before}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
