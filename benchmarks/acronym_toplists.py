"""An acronym query's top list, the whole query's vs the kept scores' (kept_scores.top_within), at 75k.

    python benchmarks/acronym_toplists.py --queries 4000

Takes the acronym queries with other words or a filter among ``--queries`` of search_latency.py's
queries (same data and index), and for each one compares the whole query's top 300 with
``kept_scores.top_within``'s over the acronym's superset (pk, score and order must be equal) and
times both, the kept list having been built first (it is kept per generation). Prints the share
that is identical and the mean CPU of both by the size of the kept list, marking the sizes from
which the service takes ``top_within`` (``WITHIN_MIN_KEPT``).
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

SIZES = ((0, 2_000), (2_000, 5_000), (5_000, 10_000), (10_000, 10**9))


def _cpu_ms(fn, *args):
    started = time.process_time()
    result = fn(*args)
    return (time.process_time() - started) * 1000, result


def _within(lexical, kept, found, rest, filt, depth: int) -> list[tuple[int, float]]:
    """The service's way: the acronym's superset (built per query, as widen builds it) and top_within."""
    from paperfeed.search import acronyms, kept_scores

    superset = acronyms._acronym_superset(lexical, found.typed, found.meanings)
    return kept_scores.top_within(lexical, kept, superset, rest, filt, depth)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--queries", type=int, default=4000)
    parser.add_argument("--depth", type=int, default=300)
    parser.add_argument("--slowest", type=int, default=12)
    args = parser.parse_args()
    from paperfeed.search import acronyms, kept_scores
    from paperfeed.search.lexical import Filters, LexicalIndex
    from paperfeed.search.query import parse_query
    from paperfeed.search.reader import current

    papers, _ = bench.serving_corpus()
    snapshot = current()
    lexical, table = snapshot.lexical, snapshot.acronyms
    rows = []
    for q in dict.fromkeys(bench.make_queries(papers, args.queries)):
        parsed = parse_query(q)
        found = acronyms.expansion(table, parsed.words)
        filt = lexical.filter_query(Filters(tuple(parsed.categories), tuple(parsed.authors), parsed.after,
                                            parsed.before))
        if found is None or (not found.rest and filt is None):
            continue
        either = acronyms._acronym_query(lexical, found.typed, found.meanings)
        rest = acronyms.rest_query(lexical, table, found.rest)
        kept = table.kept_scores(lexical, either)
        whole_ms, (whole, _) = _cpu_ms(partial(lexical.search, count=False),
                                       LexicalIndex.combine(acronyms._joined(either, rest), filt), args.depth)
        within_ms, within = _cpu_ms(_within, lexical, kept, found, rest, filt, args.depth)
        rows.append((q, len(kept.pks), filt is not None, whole == within, whole_ms, within_ms))
    load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"{len(rows)} acronym queries with other words or a filter among {args.queries}; identical top "
          f"{args.depth}: {sum(r[3] for r in rows)} of {len(rows)}; load {load}")
    print(f"{'kept papers':>18s} {'queries':>8s} {'filtered':>9s} {'whole query ms':>15s} {'top_within ms':>14s}  service")
    for lo, hi in SIZES:
        group = [r for r in rows if lo <= r[1] < hi]
        if group:
            takes = "top_within" if lo >= kept_scores.WITHIN_MIN_KEPT else "whole query"
            print(f"{lo:>8,}-{min(hi, 99_999):<9,} {len(group):8d} {sum(r[2] for r in group):9d} "
                  f"{np.mean([r[4] for r in group]):15.2f} {np.mean([r[5] for r in group]):14.2f}  {takes}")
    taken = [(r[5] if r[1] >= kept_scores.WITHIN_MIN_KEPT else r[4]) for r in rows]
    print(f"all: whole query {np.mean([r[4] for r in rows]):.2f} ms mean, the service's choice {np.mean(taken):.2f}")
    for q, size, _, same, whole_ms, within_ms in sorted(rows, key=lambda r: -r[4])[: args.slowest]:
        print(f"  {q[:46]:46s} kept {size:6d}  {whole_ms:6.2f} -> {within_ms:6.2f} ms{'' if same else '  DIFFERENT'}")
    return 0 if all(r[3] for r in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
