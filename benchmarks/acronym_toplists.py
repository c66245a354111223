"""An acronym query's top list, the whole query's vs the kept scores' (kept_scores.top_with), at 75k.

    python benchmarks/acronym_toplists.py --queries 1500

Takes the acronym queries with other words and no filter among ``--queries`` of search_latency.py's
queries (same data and index), and for each one compares the whole query's top 300 with
``kept_scores.top_with``'s (pk, score and order must be equal) and times both, the kept list
having been built first (it is kept per generation). Prints the share that is identical, the
CPU of both for the queries ``merge_pays`` sends to top_with, and for all of them.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from functools import partial
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import search_latency as bench  # noqa: E402  (sets Django up on the benchmark's data dir)


def _cpu_ms(fn, *args):
    started = time.process_time()
    result = fn(*args)
    return (time.process_time() - started) * 1000, result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--queries", type=int, default=1500)
    parser.add_argument("--depth", type=int, default=300)
    args = parser.parse_args()
    from paperfeed.search import acronyms, kept_scores
    from paperfeed.search.query import parse_query
    from paperfeed.search.reader import current

    papers, _ = bench.serving_corpus()
    snapshot = current()
    lexical, table = snapshot.lexical, snapshot.acronyms
    identical, rows = 0, []
    for q in bench.make_queries(papers, args.queries):
        parsed = parse_query(q)
        found = acronyms.expansion(table, parsed.words)
        if found is None or not found.rest or parsed.has_filters:
            continue
        either = acronyms._acronym_query(lexical, found.typed, found.meanings)
        rest = acronyms.rest_query(lexical, table, found.rest)
        kept = table.kept_scores(lexical, either)
        whole_ms, (whole, _) = _cpu_ms(partial(lexical.search, count=False), acronyms._joined(either, rest), args.depth)
        bound_ms, bound = _cpu_ms(acronyms._matches_at_most, lexical, table, found.rest)
        takes = kept_scores.merge_pays(kept, bound)
        merged_ms, merged = _cpu_ms(kept_scores.top_with, lexical, kept, rest, args.depth)
        identical += whole == merged
        rows.append((q, takes, whole_ms, bound_ms + merged_ms))
    load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"{len(rows)} acronym queries with other words of {args.queries}; identical lists {identical} of "
          f"{len(rows)}; load {load}")
    taken = [r for r in rows if r[1]]
    for label, group in (("taken by merge_pays", taken), ("all", rows)):
        if group:
            print(f"{label:20s} {len(group):4d} queries  whole query {np.mean([r[2] for r in group]):6.2f} ms  "
                  f"kept + other words {np.mean([r[3] for r in group]):6.2f} ms (mean CPU)")
    for q, _, whole_ms, merged_ms in taken:
        print(f"  {q[:44]:44s} {whole_ms:6.2f} -> {merged_ms:6.2f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
