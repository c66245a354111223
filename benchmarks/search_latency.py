"""Search latency: the search service end to end at 75k papers, and the index alone at 1M.

Default (the corpus, 74,728 papers): the product as a web process runs it. A data dir under
``.benchcache/search/service-data`` holds a SQLite database with every paper (stored through
``upsert_papers``) and the index ``paperfeed index`` builds from it (once; reused after). Then,
in one process warmed as a web worker warms up (numpy's BLAS threads capped as a serving process caps
them: ``WEB_BLAS_THREADS``, ``--blas-default`` to keep the default; the index warmed by
``Snapshot.warm``, ``--no-index-warm-up`` to skip it; 30 other queries searched; what that built
frozen out of the garbage collector's passes, ``--no-gc-freeze`` to leave it in), each query is one
call of ``paperfeed.search.service.search`` (parse, embed,
BM25 + dense, fusion, gate, groups, sort, page rows from the database, highlighting), timed
beside references measured in the same run: a no-op database query, the query embedding alone
and each query's next page (``offset=20``) right after its first, the list the generation kept.
(The next pages were once timed as a second pass over all the queries, which at 300 queries is
more than the 256 lists a generation keeps per process: least recently used, so every one missed.)
Vectors: the cached real ones for the corpus prefix ``benchmarks/search_corpus.py`` has embedded
so far; every later paper gets a slightly perturbed copy of a real vector (shipped to sync as the
sample's vectors are), so the dense scan costs what it costs at 75k while only the prefix's dense
answers are meaningful.

    python benchmarks/search_latency.py                  # 75k, the service end to end
    python benchmarks/search_latency.py --profile        # the same, with the top of a cProfile
    python benchmarks/search_latency.py --scale 1000000  # 1M: the index alone (retrieve + fuse),
                                                         # corpus replicated under new ids, HNSW

At 1M the lexical index holds the corpus text 13-14 times under new ids, and the vectors
are the real ones plus small Gaussian noise (re-normalised), so the ANN graph is not fed
exact duplicates. ANN recall@10 is measured against an exact scan of the same vectors.
``--keep DIR`` keeps the 1M index in DIR and reuses it on the next run with the same settings,
so the latency can be measured again on a quieter machine without building again; each query's
process CPU time is reported beside the wall clock (it excludes the wait for a shared core).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import resource
import shutil
import sys
import tempfile
import time
from dataclasses import asdict
from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))
from djangoenv import configure, setup_django  # noqa: E402

SERVICE_DIR = REPO / ".benchcache" / "search" / "service-data"
configure(str(SERVICE_DIR), "pf-bench-")

from search_corpus import CACHE, build_lexical, corpus_vectors, embedded_prefix, load_corpus  # noqa: E402

from paperfeed.search.embedder import Embedder  # noqa: E402
from paperfeed.search.hybrid import dense_mask, retrieve  # noqa: E402
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


def corpus_matrix(papers: list[dict], noise: float = 0.02) -> tuple[np.ndarray, int]:
    """Vectors for every paper: the real cached ones for the embedded prefix, perturbed copies after it."""
    real = embedded_prefix(papers)
    if not real:
        raise SystemExit("no cached corpus vectors yet: run nice -n 19 python benchmarks/search_corpus.py")
    matrix = np.empty((len(papers), 384), dtype=np.float32)
    matrix[:real] = corpus_vectors(papers, progress=False, upto=real)
    if real < len(papers):
        rng = np.random.default_rng(0)
        rest = matrix[np.arange(real, len(papers)) % real] + rng.normal(scale=noise, size=(len(papers) - real, 384))
        matrix[real:] = rest / np.linalg.norm(rest, axis=1, keepdims=True)
    return matrix, real


def prepare_service(papers: list[dict], matrix: np.ndarray) -> None:
    """The database and index of SERVICE_DIR, built once (``READY`` marks a finished build)."""
    from django.conf import settings

    from paperfeed.papers.records import PaperRecord
    from paperfeed.papers.upsert import upsert_papers
    from paperfeed.search.sync import sync_indexes, text_hash, write_shipped_vectors

    settings.SEARCH_SHIPPED_VECTORS = str(SERVICE_DIR / "shipped")
    if (SERVICE_DIR / "READY").exists():
        index_as_configured()
        return
    write_shipped_vectors(SERVICE_DIR / "shipped", [p["id"] for p in papers],
                          [text_hash(p["title"], p["abstract"]) for p in papers], matrix, Embedder.default().fingerprint)
    records = []
    for p in papers:
        day = date.fromisoformat(p["date"])
        records.append(PaperRecord(arxiv_id=p["id"], title=p["title"], abstract=p["abstract"], authors=p["authors"],
                                   categories=p["categories"], version=1, announced=day, comment=p.get("comment"),
                                   published=datetime(day.year, day.month, day.day, 9, tzinfo=UTC), source="bench"))
    result = upsert_papers(records)
    print(f"stored {len(papers) - len(result.rejections)} papers ({len(result.rejections)} rejected)", file=sys.stderr)
    report = sync_indexes(progress=True)
    print(report, file=sys.stderr)
    (SERVICE_DIR / "READY").touch()


def serving_corpus(cap_blas: bool = True) -> tuple[list[dict], int]:
    """The corpus, with SERVICE_DIR's database and index ready and Django set up on them, as a web
    process serves it: numpy's BLAS capped at ``WEB_BLAS_THREADS`` (after the build's batch work)
    unless ``cap_blas`` is false. Returns the papers and how many have real vectors."""
    papers = load_corpus()
    matrix, real = corpus_matrix(papers)
    setup_django(str(SERVICE_DIR), "pf-bench-")
    prepare_service(papers, matrix)
    if cap_blas:
        from paperfeed.server import limit_blas_threads

        limit_blas_threads()
    return papers, real


def index_as_configured() -> None:
    """A cached index built under another ``SEARCH_EXACT_MAX`` (no HNSW graph where one is due, or
    one where none is) is rebuilt as ``paperfeed index --rebuild`` would: from the vector cache,
    re-embedding nothing."""
    from paperfeed.search.reader import current
    from paperfeed.search.sync import sync_indexes
    from paperfeed.search.vectors import exact_max

    vectors = current().vectors
    if (vectors.hnsw is not None) != (len(vectors) > exact_max()):
        print(f"rebuilding the cached index: {len(vectors):,} vectors, graph above {exact_max():,}", file=sys.stderr)
        print(sync_indexes(progress=True, rebuild=True), file=sys.stderr)


def warm_up(queries: list[str], index: bool = True, freeze: bool = True) -> float | None:
    """Warm this process as a web worker's warm-up does (``paperfeed.server.warm_up``: the current
    generation's ``Snapshot.warm``, the common acronyms' kept scores), then search ``queries`` (index
    open, model loaded, statements prepared). The CPU ms the index warm-up took (None: not done;
    ``index=False`` measures a process that skipped it, as earlier runs of this benchmark did)."""
    from paperfeed.search.reader import current
    from paperfeed.search.service import search

    spent = None
    if index:
        started = time.process_time()
        current().warm()
        spent = round((time.process_time() - started) * 1000, 1)
    for q in queries:
        search(q)
    if freeze:
        gc.freeze()  # as paperfeed.server.warm_up ends
    return spent


def timed(fn, items, cpu: list[float] | None = None) -> list[float]:
    """Wall-clock ms per call; ``cpu`` also collects this process's CPU ms per call (all its threads).

    Why both: on a shared machine the wall clock includes waiting for a core, the CPU time far
    less so; neither is a quiet machine's figure, and both are reported as what they are.
    """
    out = []
    for item in items:
        c, t = time.process_time(), time.perf_counter()
        fn(item)
        out.append((time.perf_counter() - t) * 1000)
        if cpu is not None:
            cpu.append((time.process_time() - c) * 1000)
    return out


def dense_recall(queries: list[str], model) -> dict:
    """Recall of the dense retriever's list at the service's depth (and @10) against an exact scan,
    when the index answers through an HNSW graph (empty otherwise)."""
    from paperfeed.search.reader import current
    from paperfeed.search.service import MAX_RESULTS

    vectors = current().vectors
    if vectors.hnsw is None:
        return {}
    at_depth, at_10 = [], []
    for q in queries:
        qv = model.encode_query(parse_query(q).text)
        graph = [pk for pk, _ in vectors.search(qv, MAX_RESULTS)]
        exact = [pk for pk, _ in vectors.search(qv, MAX_RESULTS, exact=True)]
        at_depth.append(len(set(graph) & set(exact)) / len(exact))
        at_10.append(len(set(graph[:10]) & set(exact[:10])) / len(exact[:10]))
    return {f"dense_hnsw_recall@{MAX_RESULTS}_vs_exact": round(float(np.mean(at_depth)), 4),
            "dense_hnsw_recall@10_vs_exact": round(float(np.mean(at_10)), 4)}


def service_latency(args) -> dict:
    """p50/p95/p99 of search() calls, beside references measured in the same run."""
    from django.db import connection

    from paperfeed.search.service import search

    papers, real = serving_corpus(cap_blas=not args.blas_default)
    queries = make_queries(papers, args.queries)
    warm_up_ms = warm_up(make_queries(papers, 30, seed=99), index=not args.no_index_warm_up,
                         freeze=not args.no_gc_freeze)
    model = Embedder()

    def noop(_):
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()

    profiler = None
    if args.profile:
        import cProfile

        profiler = cProfile.Profile(time.process_time)  # CPU, not the wait for a core on a shared machine
        profiler.enable()
    service_cpu: list[float] = []
    embed_cpu: list[float] = []
    service_ms, next_page_ms = [], []
    for q in queries:  # each query's next page right after its first: a kept list, as a person pages on
        service_ms += timed(search, [q], service_cpu)
        next_page_ms += timed(lambda query: search(query, offset=20), [q])
    if profiler is not None:
        profiler.disable()
        import pstats

        stats = pstats.Stats(profiler, stream=sys.stderr)
        stats.sort_stats("cumulative").print_stats(45)
        stats.sort_stats("tottime").print_stats(25)
    report = {"docs": len(papers), "real_vectors": real, "database": connection.vendor, "queries": len(queries),
              "index_warm_up_cpu_ms": warm_up_ms,
              "search()_ms_p50_p95_p99": service_ms,
              "search()_process_cpu_ms_p50_p95_p99": service_cpu,
              "search()_next_page_ms_p50_p95_p99": next_page_ms,
              "query_embed_uncached_ms_p50_p95_p99": timed(lambda q: model.encode_query(parse_query(q).text,
                                                                                        cache=False), queries,
                                                           embed_cpu),
              "query_embed_uncached_process_cpu_ms_p50_p95_p99": embed_cpu,
              "noop_db_query_ms_p50_p95_p99": timed(noop, queries)}
    report = {k: [round(x, 2) for x in percentiles(v)] if isinstance(v, list) else v for k, v in report.items()}
    report.update(dense_recall(queries, model))
    report["gc_frozen_after_warm_up"] = not args.no_gc_freeze
    report["rss_mb"] = round(rss_mb(), 0)
    report["load_avg"] = [round(x, 2) for x in os.getloadavg()]
    return report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=int, default=0, help="documents (default: the corpus as is)")
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--noise", type=float, default=0.02, help="vector noise for replicas (std per dim)")
    parser.add_argument("--ef", type=int, default=HnswParams.expansion_search, help="HNSW expansion_search")
    parser.add_argument("--skip-lexical", action="store_true", help="1M: measure the dense side only")
    parser.add_argument("--keep", type=Path, help="1M: keep the built index in this directory, reuse it next time")
    parser.add_argument("--profile", action="store_true", help="75k: print the top of a cProfile of the service")
    parser.add_argument("--blas-default", action="store_true",
                        help="75k: keep numpy's default BLAS threads instead of the web process's WEB_BLAS_THREADS")
    parser.add_argument("--no-index-warm-up", action="store_true",
                        help="75k: skip the web worker's index warm-up (Snapshot.warm), as the earlier runs did")
    parser.add_argument("--no-gc-freeze", action="store_true",
                        help="75k: leave the warm-up's objects to the garbage collector (gc.freeze() as a web worker does)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    report = service_latency(args) if not args.scale else index_latency(args)
    if args.json:
        print(json.dumps(report))
        return 0
    from rich.console import Console
    from rich.table import Table

    mode = "the search service end to end" if not args.scale else f"{report['dense_mode']} dense, index alone"
    table = Table(title=f"Search latency, {report['docs']:,} documents, one process, warm ({mode})")
    table.add_column("measure")
    table.add_column("value", justify="right")
    for key, value in report.items():
        table.add_row(key, ", ".join(map(str, value)) if isinstance(value, list) else str(value))
    Console(width=200).print(table)
    return 0


def index_latency(args) -> dict:
    """retrieve() alone (embed + BM25 + dense + fusion + filters) at --scale documents, HNSW."""
    papers = load_corpus()
    vectors, real = corpus_matrix(papers)
    embedder = Embedder()
    total = args.scale or len(papers)
    copies = -(-total // len(papers))
    work = args.keep or Path(tempfile.mkdtemp(prefix="pf-latency-", dir=CACHE))
    built = {"docs": total, "noise": args.noise, "hnsw": asdict(HnswParams()), "real_vectors": real}
    reuse = args.keep is not None and (work / "built.json").exists() and \
        json.loads((work / "built.json").read_text()) == built
    report: dict = {"docs": total, "real_vectors": real, "embedder": embedder.fingerprint, "reused_index": reuse}
    work.mkdir(parents=True, exist_ok=True)
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
        if not reuse:
            shutil.rmtree(work / "vectors", ignore_errors=True)
            VectorSet.write(work / "vectors", pks, matrix, days, cats[:total])
            report["vector_build_s"] = round(time.perf_counter() - t0, 1)
        vset = VectorSet.load(work / "vectors")
        report["dense_mode"] = "hnsw" if vset.hnsw is not None else "exact"
        report["vector_dir_mb"] = round(dir_size(work / "vectors") / 2**20, 1)
        if vset.hnsw is not None:
            vset.hnsw.expansion_search = args.ef
        queries = make_queries(papers, args.queries)
        qvecs = [embedder.encode_query(parse_query(q).text, cache=False) for q in queries]

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
        elif reuse and (work / "lexical").exists():
            from paperfeed.search.lexical import LexicalIndex

            lexical = LexicalIndex.open(work / "lexical")
        else:
            t0 = time.perf_counter()
            shutil.rmtree(work / "lexical", ignore_errors=True)
            lexical = build_lexical(papers, work / "lexical", copies, total)
            report["lexical_build_s"] = round(time.perf_counter() - t0, 1)
        if lexical is not None:
            report["lexical_dir_mb"] = round(dir_size(work / "lexical") / 2**20, 1)
        if args.keep is not None and not reuse:
            (work / "built.json").write_text(json.dumps(built))

        def one(q: str) -> None:
            parsed = parse_query(q)
            from paperfeed.search.lexical import Filters

            filters = Filters(tuple(parsed.categories), tuple(parsed.authors), parsed.after, parsed.before)
            qv = embedder.encode_query(parsed.text, cache=False)
            if lexical is None:
                vset.search(qv, 100, dense_mask(vset, None, filters) if filters and not filters.authors else None)
            else:
                retrieve(lexical, vset, parsed.words, parsed.phrases, qv, filters)

        for q in queries[:20]:  # warm up
            one(q)
        timings, embed_ms, cpu_ms = [], [], []
        for q in queries:
            t = time.perf_counter()
            embedder.encode_query(parse_query(q).text, cache=False)
            embed_ms.append((time.perf_counter() - t) * 1000)
            t, c = time.perf_counter(), time.process_time()
            one(q)
            timings.append((time.perf_counter() - t) * 1000)
            cpu_ms.append((time.process_time() - c) * 1000)
        report["queries"] = len(queries)
        report["end_to_end_ms_p50_p95_p99"] = [round(x, 2) for x in percentiles(timings)]
        report["end_to_end_cpu_ms_p50_p95_p99"] = [round(x, 2) for x in percentiles(cpu_ms)]
        report["query_embed_ms_p50_p95_p99"] = [round(x, 2) for x in percentiles(embed_ms)]
        report["rss_mb"] = round(rss_mb(), 0)
        report["load_avg"] = [round(x, 2) for x in os.getloadavg()]
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    return report


if __name__ == "__main__":
    raise SystemExit(main())
