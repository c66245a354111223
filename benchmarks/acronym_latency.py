"""What an acronym query adds to search at 75k papers: ``acronyms.widen`` and ``group_by_meaning``.

On the index ``benchmarks/search_latency.py`` builds (``.benchcache/search/service-data``, 74,728
papers; run that first), opened read only. For every query: the query embedded, the hybrid
retrieval (``hybrid.retrieve``, the same-run reference: what every query pays), then widen and
the groups over the gated candidates (at most the service's ``MAX_RESULTS``). Queries: the latency
benchmark's random title queries (``--queries``, the same seed) plus a fixed list of acronym
queries, since only queries holding a known acronym pay anything here.

``--before COMMIT`` also times ``paperfeed/search/acronyms.py`` as it was at COMMIT (loaded from
git beside the current one, given its own freshly loaded table), interleaved query by query with
the current code, so both see the same load. The current code is timed twice: with a fresh table
per query ("first": the centroids gathered for that acronym, as the first query of a generation
does) and with the generation's table ("again").

    python benchmarks/acronym_latency.py --queries 80 --before 1cf415d^
"""

from __future__ import annotations

import argparse
import gc
import inspect
import os
import subprocess
import sys
import time
import types
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))
from djangoenv import configure  # noqa: E402

SERVICE_DIR = REPO / ".benchcache" / "search" / "service-data"
configure(str(SERVICE_DIR), "pf-bench-")

from search_corpus import load_corpus  # noqa: E402
from search_latency import make_queries  # noqa: E402

from paperfeed.search import acronyms, reader  # noqa: E402
from paperfeed.search.embedder import Embedder  # noqa: E402
from paperfeed.search.hybrid import retrieve, top_lists  # noqa: E402
from paperfeed.search.lexical import Filters  # noqa: E402
from paperfeed.search.query import parse_query  # noqa: E402
from paperfeed.search.service import MAX_RESULTS  # noqa: E402

ACRONYM_QUERIES = ["SSL", "SSL speech", "SSL certificate", "CL", "CL continual", "SE", "VLM", "AD", "RL for LLM",
                   "MAE", "ASR", "IR", "EM", "LLM agents", "MLLM hallucination", "VQA", "TTS", "CAD", "RF", "AR"]


def before_module(commit: str) -> types.ModuleType:
    """``acronyms.py`` at ``commit``, imported beside the current one (relative imports resolve)."""
    source = subprocess.run(["git", "-C", str(REPO), "show", f"{commit}:paperfeed/search/acronyms.py"],
                            capture_output=True, text=True, check=True).stdout
    module = types.ModuleType("paperfeed.search.acronyms_before")
    module.__package__ = "paperfeed.search"
    sys.modules[module.__name__] = module
    exec(compile(source, f"acronyms.py@{commit}", "exec"), module.__dict__)  # noqa: S102
    return module


def _widen(module: types.ModuleType, view, parsed, vector, base, lists):
    """``module.widen`` as its signature asks: since 2026-12-02 it takes the expansion, its long forms'
    lexical list and the two top lists unscored; before, the words, the vector and the fused retrieval."""
    if "wide" not in inspect.signature(module.widen).parameters:
        return module.widen(view, parsed.words, vector, Filters(), base, MAX_RESULTS)
    found = module.expansion(view.acronyms, parsed.words)
    if found is None:
        return base
    return module.widen(view, found, module.long_form_hits(view, found, Filters(), MAX_RESULTS), lists)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--queries", type=int, default=80)
    parser.add_argument("--before", help="a commit whose acronyms.py is timed beside the current one")
    args = parser.parse_args()
    snapshot = reader.current()
    if snapshot is None:
        raise SystemExit("no index: run python benchmarks/search_latency.py first")
    queries = make_queries(load_corpus(), args.queries) + ACRONYM_QUERIES
    codes = {"first": (acronyms, True), "again": (acronyms, False)}
    if args.before:
        codes = {"before": (before_module(args.before), True), **codes}
    tables = {id(module): module.AcronymTable.load(snapshot.path) for module, _ in codes.values()}
    embedder = Embedder.default()
    gc.collect()
    gc.freeze()  # the corpus and the tables: a full collection would land on whichever step runs
    times: dict[str, list[float]] = {"retrieve": []} | {f"{name} {step}": [] for name in codes
                                                        for step in ("widen", "groups")}
    expanded = dict.fromkeys(codes, 0)
    for text in queries:
        parsed = parse_query(text)
        vector = embedder.encode_query(parsed.text)
        started = time.perf_counter()
        base = retrieve(snapshot.lexical, snapshot.vectors, parsed.words, parsed.phrases, vector, Filters(),
                        depth=MAX_RESULTS)
        times["retrieve"].append(time.perf_counter() - started)
        lists = top_lists(snapshot.lexical, snapshot.vectors, parsed.words, parsed.phrases, vector, Filters(),
                          depth=MAX_RESULTS)
        for name, (module, fresh) in codes.items():
            table = module.AcronymTable.load(snapshot.path) if fresh else tables[id(module)]
            view = types.SimpleNamespace(acronyms=table, lexical=snapshot.lexical, vectors=snapshot.vectors)
            started = time.perf_counter()
            widened = _widen(module, view, parsed, vector, base, lists)
            times[f"{name} widen"].append(time.perf_counter() - started)
            started = time.perf_counter()
            module.group_by_meaning(view, parsed.words, widened.candidates[:MAX_RESULTS])
            times[f"{name} groups"].append(time.perf_counter() - started)
            expanded[name] += widened is not base
    print(f"{len(queries)} queries (expanded as acronym queries: "
          f"{', '.join(f'{n} by {name}' for name, n in expanded.items())}), {snapshot.vectors.matrix.shape[0]:,} "
          f"papers, depth {MAX_RESULTS}; load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    print("| step | mean ms per query | p95 ms |")
    print("|---|---|---|")
    for step, values in times.items():
        ms = np.asarray(values) * 1000
        print(f"| {step} | {ms.mean():.2f} | {np.percentile(ms, 95):.2f} |")


if __name__ == "__main__":
    main()
