"""Where a first-time search's CPU goes, phase by phase, at 75k papers (the data of search_latency.py).

    python benchmarks/search_phases.py --queries 150
    python benchmarks/search_phases.py --sample DIR --queries 400   # the bundled sample instead

``--sample DIR`` measures the bundled sample as the search page serves it: DIR is a data dir
``paperfeed demo --no-serve --data-dir DIR`` prepared (made here when it holds no database), and
the queries are the distinct title-word queries of ``search_page.py``'s "new query" row, so the
figures are the service's share of that row's CPU per request.

The same queries, warm-up (a web worker's index warm-up, then 30 queries) and BLAS cap as
``search_latency.py``; each of the service's phase
functions is wrapped with the process CPU clock, so the shares are what the code costs without
cProfile's per-call overhead (which inflates Python-heavy steps several-fold). The service
embeds the query on the embedder's query thread while its lexical side runs; here it embeds
inline instead, since a process clock cannot tell two threads' work apart: the same work, each
phase charged only its own. Nested phases are
shown indented under the phase that calls them; a phase's time includes its children. The
slowest queries are listed with their phases, since a p95 is made of them.
"""

from __future__ import annotations

import argparse
import functools
import os
import sys
import time
from collections import defaultdict
from concurrent.futures import Future
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

# (module, function, depth): the service's phases and the steps inside them worth naming.
PHASES = [("service", "_retrieve", 0), ("embedder.Embedder", "encode_query", 1), ("service", "retrieve", 1),
          ("hybrid", "scored_pool", 2), ("hybrid", "fuse", 2), ("acronyms", "widen", 1),
          ("service", "_gate", 0), ("service", "_account", 0), ("service", "_is_person", 0),
          ("service", "_group", 0), ("acronyms", "group_by_meaning", 1), ("service", "find_groups", 1),
          ("topics", "label_groups", 2), ("service", "_members", 1), ("service", "_load", 0),
          ("highlight", "snippet", 1), ("highlight", "highlight_title", 1)]


def _wrap(owner, name: str, spent: dict, current: dict) -> None:
    original = getattr(owner, name)

    @functools.wraps(original)
    def timed(*args, **kwargs):
        started = time.process_time()
        try:
            return original(*args, **kwargs)
        finally:
            ms = (time.process_time() - started) * 1000
            spent[name] += ms
            current[name] = current.get(name, 0.0) + ms

    setattr(owner, name, timed)


def corpus_queries(n: int) -> tuple[list[str], list[str]]:
    """75k: the warm-up and timed queries of ``search_latency.py``, its data ready and Django set up."""
    import search_latency as bench  # sets Django up on the benchmark's data dir

    papers, _ = bench.serving_corpus()
    return bench.make_queries(papers, 30, seed=99), bench.make_queries(papers, n)


def sample_queries(data_dir: Path, n: int) -> tuple[list[str], list[str]]:
    """The sample in ``data_dir`` (prepared as ``search_page.py`` prepares it), served as a web process
    serves it (BLAS capped); the "new query" row's distinct queries, the first 30 for the warm-up."""
    import subprocess

    if not (data_dir / "paperfeed.sqlite3").exists():
        subprocess.run([sys.executable, "-m", "paperfeed.cli", "demo", "--no-serve", "--data-dir", str(data_dir)],
                       env={**os.environ, "HF_HUB_OFFLINE": "1"}, check=True, stdout=subprocess.DEVNULL)
    from djangoenv import configure
    from search_page import queries

    configure(str(data_dir), "pf-phases-")
    from paperfeed.server import limit_blas_threads

    limit_blas_threads()
    distinct = queries(data_dir, n + 30, seed=3)
    return distinct[:30], distinct[30:]


def _kinds(queries: list[str], totals: list[float]) -> dict[str, list[float]]:
    """The CPU per query by kind: with a known acronym (widen and the groups by meaning run), with a
    filter (the dense side masks rows), neither. A p95 is made of the kinds whose tail is longest."""
    from paperfeed.search import acronyms
    from paperfeed.search.query import parse_query
    from paperfeed.search.reader import current

    table = current().acronyms
    kinds: dict[str, list[float]] = defaultdict(list)
    for q, total in zip(queries, totals, strict=True):
        parsed = parse_query(q)
        if acronyms.expansion(table, parsed.words) is not None:
            kinds["with an acronym (filtered or not)"].append(total)
        elif parsed.has_filters:
            kinds["with a filter, no acronym"].append(total)
        else:
            kinds["neither"].append(total)
    return dict(kinds)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--queries", type=int, default=150)
    parser.add_argument("--slowest", type=int, default=10)
    parser.add_argument("--sample", type=Path, help="a data dir with the bundled sample (made when empty)")
    args = parser.parse_args()
    if args.sample is not None:
        os.environ["PAPERFEED_DATA_DIR"] = str(args.sample.resolve())
        warm_up, queries = sample_queries(args.sample.resolve(), args.queries)
    else:
        warm_up, queries = corpus_queries(args.queries)
    from rich.console import Console
    from rich.table import Table

    from paperfeed.search import acronyms, embedder, highlight, hybrid, service, topics

    def inline(self, text: str) -> Future:
        done: Future = Future()
        done.set_result(self.encode_query(text))
        return done

    embedder.Embedder.encode_query_soon = inline  # see the module docstring
    from search_latency import warm_up as warm_like_a_worker

    warm_like_a_worker(warm_up)
    modules = {"service": service, "hybrid": hybrid, "acronyms": acronyms, "topics": topics,
               "highlight": highlight, "embedder.Embedder": embedder.Embedder}
    spent: dict[str, float] = defaultdict(float)
    current: dict[str, float] = {}
    for owner, name, _ in PHASES:
        _wrap(modules[owner], name, spent, current)
    totals, per_query = [], []
    for q in queries:
        current.clear()
        started = time.process_time()
        service.search(q)
        totals.append((time.process_time() - started) * 1000)
        per_query.append((totals[-1], q, dict(current)))
    mean = float(np.mean(totals))
    where = f"the sample in {args.sample}" if args.sample is not None else "75k"
    print(f"search() CPU per first-time query ({where}), {len(queries)} queries, load "
          f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}: mean {mean:.2f} ms, "
          f"p50 {np.percentile(totals, 50):.2f}, p95 {np.percentile(totals, 95):.2f}")
    for kind, picked in _kinds(queries, totals).items():
        print(f"  {kind:36s} {len(picked):4d} queries: p50 {np.percentile(picked, 50):6.2f}, "
              f"p90 {np.percentile(picked, 90):6.2f}, p95 {np.percentile(picked, 95):6.2f} ms")
    table = Table(title="phases (a phase includes the ones indented under it)")
    for column in ("phase", "ms per query", "share"):
        table.add_column(column, justify="left" if column == "phase" else "right")
    for _, name, depth in PHASES:
        table.add_row("  " * depth + name, f"{spent[name] / len(queries):.2f}", f"{spent[name] / sum(totals):.0%}")
    Console(width=160).print(table)
    for total, q, phases in sorted(per_query, key=lambda item: -item[0])[: args.slowest]:
        named = " ".join(f"{k}={v:.1f}" for k, v in phases.items() if v >= 1.0)
        print(f"{total:6.1f} ms  {q[:44]:44s} {named}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
