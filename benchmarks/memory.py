"""RAM per web process at a given corpus size: RSS and PSS of real ``paperfeed serve`` workers.

For each ``--papers`` size it builds a data dir (SQLite) holding that many papers -- the bundled
sample's real titles and abstracts, repeated under new ids -- gives each a synthetic unit vector
(random, float16; search memory does not depend on the values) as "shipped vectors", and builds
the index with the product's own sync (so above ``PAPERFEED_SEARCH_EXACT_MAX`` the HNSW graph is
built and published as it would be). Then it starts ``paperfeed serve --workers P``, sends every
worker the same warm-up (home page, paper pages, searches, the API list), and reads each gunicorn
worker's ``/proc/<pid>/smaps_rollup``:

- **RSS** counts every resident page the process maps, shared ones in full;
- **PSS** divides each shared page by the number of processes mapping it, so the PSS of all
  workers adds up to what they really take together;
- **anon** is private heap (Python objects, ONNX Runtime, arrays copied out of the files);
- **file** is mapped index files (tantivy segments, float16 vectors, the HNSW graph): page cache
  that every process on the machine shares.

    python benchmarks/memory.py --papers 75000
    python benchmarks/memory.py --papers 75000 --processes 4 --json
    python benchmarks/memory.py --search-only --papers 75000 1000000   # index alone, forked processes

``--search-only`` is for sizes too large to load into a database here (1M papers): no database and no
server, but processes forked from one that imported the whole app (as gunicorn forks its workers)
open the product's VectorSet and LexicalIndex over synthetic documents and query them.

Reads nothing outside the repository; builds under ``.benchcache/memory/`` (reused by later runs).
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import requests

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / ".benchcache" / "memory"
SAMPLE = ROOT / "paperfeed" / "sample" / "arxiv_sample.jsonl.gz"
QUERIES = ["diffusion models for video", "gaussian splatting slam", "SSL", "large language model agents",
           "graph neural networks", "quantum error correction", "reinforcement learning from human feedback"]
FIELDS = ("Rss", "Pss", "Pss_Anon", "Pss_File", "Pss_Shmem", "Shared_Clean", "Private_Dirty")


def env_for(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PAPERFEED_", "DJANGO_"))}
    env.update({"PAPERFEED_DATA_DIR": str(data_dir), "PAPERFEED_RATELIMIT": "0", "PAPERFEED_LOG_LEVEL": "WARNING", "HF_HUB_OFFLINE": "1",
                "PYTHONPATH": str(ROOT)})
    return env


def _built_once(directory: Path, flag: str, papers: int) -> Path:
    """Run this script with ``flag`` in a child process (its settings point at ``directory``), once."""
    if (directory / "ready").exists():
        return directory
    directory.mkdir(parents=True, exist_ok=True)
    done = subprocess.run([sys.executable, __file__, flag, str(directory), "--papers", str(papers)],
                          cwd=ROOT, env=env_for(directory))
    if done.returncode != 0:
        raise SystemExit(f"building {directory} failed")
    (directory / "ready").write_text("ok")
    return directory


def build(papers: int) -> Path:
    """A data dir with ``papers`` papers and a published index; built once and cached."""
    return _built_once(CACHE / f"papers-{papers}", "--build-into", papers)


def build_here(data_dir: Path, papers: int) -> None:
    """(In a child process whose settings point at ``data_dir``.) Papers, shipped vectors, index."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "paperfeed.settings"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    call_command("createcachetable", verbosity=0)
    rows = _insert_papers(papers)
    shipped = data_dir / "shipped"
    _ship_synthetic_vectors(shipped, rows)
    settings.SEARCH_SHIPPED_VECTORS = str(shipped)
    from rich.console import Console

    from paperfeed.search.sync import sync_indexes

    sync_indexes(progress=True, console=Console(stderr=True))


def _insert_papers(count: int) -> list[tuple[str, str, str]]:
    """``count`` papers from the sample's texts under new ids (bulk insert: this is a benchmark's fixture)."""
    from rich.progress import track

    from paperfeed.papers.models import Paper

    with gzip.open(SAMPLE, "rt", encoding="utf-8") as fh:
        sample = [json.loads(line) for line in fh]
    start = datetime(2025, 1, 1, tzinfo=UTC)
    made: list[tuple[str, str, str]] = []
    for first in track(range(0, count, 5000), description="papers", transient=True):
        batch = []
        for n in range(first, min(first + 5000, count)):
            src = sample[n % len(sample)]
            arxiv_id = synthetic_id(n)
            day = start + timedelta(days=n // 400)
            categories = src["categories"].split()
            batch.append(Paper(arxiv_id=arxiv_id, version=1, title=src["title"], abstract=src["abstract"],
                               authors=[a.strip() for a in src["authors"].split(",")][:20],
                               primary_category=categories[0], categories=f" {' '.join(categories)} ",
                               published=day, updated=day, announced=day.date()))
            made.append((arxiv_id, src["title"], src["abstract"]))
        Paper.objects.bulk_create(batch, batch_size=1000)
    return made


def _ship_synthetic_vectors(directory: Path, rows: list[tuple[str, str, str]]) -> None:
    from paperfeed.search.embedder import Embedder
    from paperfeed.search.sync import text_hash, write_shipped_vectors

    rng = np.random.default_rng(0)
    vectors = rng.standard_normal((len(rows), 384), dtype=np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    write_shipped_vectors(directory, [r[0] for r in rows], [text_hash(r[1], r[2]) for r in rows],
                          vectors.astype(np.float16), Embedder.default().fingerprint)


def build_search_only(papers: int) -> Path:
    """The index files alone (no database) at ``papers`` documents; built once and cached."""
    return _built_once(CACHE / f"search-{papers}", "--build-search-into", papers)


def build_search_here(directory: Path, papers: int) -> None:
    """The product's VectorSet (HNSW above SEARCH_EXACT_MAX) and LexicalIndex over synthetic documents.

    The graph is built with expansion_add 16 instead of the product's 256: the same connectivity, so
    the same file size and memory, in minutes instead of hours on two cores.
    """
    os.environ["DJANGO_SETTINGS_MODULE"] = "paperfeed.settings"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from benchmarks.search_corpus import build_lexical
    from paperfeed.search.vectors import HnswParams, VectorSet

    with gzip.open(SAMPLE, "rt", encoding="utf-8") as fh:
        sample = [json.loads(line) for line in fh]
    corpus = [{"title": p["title"], "abstract": p["abstract"], "authors": p["authors"].split(", ")[:20],
               "categories": p["categories"].split(), "date": "2025-06-01"} for p in sample]
    rng = np.random.default_rng(0)
    vectors = np.empty((papers, 384), dtype=np.float16)
    for start in range(0, papers, 100_000):
        part = rng.standard_normal((min(100_000, papers - start), 384), dtype=np.float32)
        vectors[start:start + len(part)] = part / np.linalg.norm(part, axis=1, keepdims=True)
    print("  building the HNSW graph (minutes) ...", file=sys.stderr, flush=True)
    VectorSet.write(directory / "vectors", np.arange(papers), vectors, np.zeros(papers, dtype=np.int32),
                    [corpus[n % len(corpus)]["categories"] for n in range(papers)],
                    hnsw_params=HnswParams(expansion_add=16))
    build_lexical(corpus, directory / "lexical", total=papers)


def search_process(directory: Path, ready, done) -> None:
    """A forked stand-in for a web worker: the whole app imported, the index opened and queried."""
    from paperfeed.search.embedder import Embedder, paper_text
    from paperfeed.search.lexical import LexicalIndex
    from paperfeed.search.vectors import VectorSet
    from paperfeed.wsgi import application  # noqa: F401 - everything a gunicorn worker imports

    vectors, lexical = VectorSet.load(directory / "vectors"), LexicalIndex.open(directory / "lexical")
    embedder = Embedder.default()
    for _ in range(20):
        for query in QUERIES:
            vectors.search(embedder.encode([paper_text(query, "")])[0], 50)
            lexical.index.searcher().search(lexical.index.parse_query(query, ["title", "abstract"]), 50)
    ready.set()
    done.wait()


def measure_search_only(directory: Path, processes: int) -> dict:
    import multiprocessing

    os.environ.update(env_for(directory))
    os.environ["DJANGO_SETTINGS_MODULE"] = "paperfeed.settings"
    import django

    django.setup()
    context = multiprocessing.get_context("fork")
    done = context.Event()
    readies = [context.Event() for _ in range(processes)]
    children = [context.Process(target=search_process, args=(directory, r, done)) for r in readies]
    for child in children:
        child.start()
    for ready in readies:
        ready.wait(timeout=1800)
    per = [rollup(child.pid) for child in children]
    done.set()
    for child in children:
        child.join()
    files = sum(f.stat().st_size for f in directory.rglob("*") if f.is_file()) // 2**20
    return {"workers": per, "index_files_mib": files}


def synthetic_id(n: int) -> str:
    return f"{2501 + (n // 99999) % 900:04d}.{n % 99999 + 1:05d}"


def rollup(pid: int) -> dict[str, int]:
    """Fields of /proc/<pid>/smaps_rollup, in MiB."""
    values = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
        name, _, rest = line.partition(":")
        if name in FIELDS:
            values[name] = int(rest.split()[0]) // 1024
    return values


def workers_of(master: int) -> list[int]:
    pids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == master:
                pids.append(int(stat.parent.name))
        except (OSError, ValueError):
            continue
    return sorted(pids)


def warm(base: str, processes: int, papers: int) -> None:
    """Enough requests that every worker has served pages, searches and the API (round robin is not
    guaranteed, so each kind is sent many times)."""
    arxiv_ids = [synthetic_id(n) for n in range(0, papers, max(1, papers // 10))]
    for _ in range(6 * processes):
        requests.get(f"{base}/api/daily_papers", timeout=120)
        for query in QUERIES:
            requests.get(f"{base}/search/", params={"q": query}, timeout=120)
        for arxiv_id in arxiv_ids:
            requests.get(f"{base}/papers/{arxiv_id}/", timeout=120)
        requests.get(f"{base}/", timeout=120)


def measure(data_dir: Path, processes: int, papers: int) -> dict:
    from tests.support.servers import free_port

    port = free_port()
    log = open(data_dir / "serve.log", "w")  # noqa: SIM115 - closed below
    server = subprocess.Popen([sys.executable, "-m", "paperfeed.cli", "serve", "--port", str(port), "--workers",
                               str(processes)], cwd=ROOT, env=env_for(data_dir), stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            try:
                requests.get(base + "/", timeout=60)
                break
            except requests.RequestException:
                time.sleep(1)
        warm(base, processes, papers)
        workers = workers_of(server.pid)
        per = [rollup(pid) for pid in workers]
        files = sum(f.stat().st_size for f in (data_dir / "index").rglob("*") if f.is_file()) // 2**20
        return {"workers": per, "index_files_mib": files}
    finally:
        server.terminate()
        server.wait(timeout=60)
        log.close()


def table(results: dict[int, dict], processes: int) -> None:
    print(f"\n| papers | web processes | index files MiB | RSS MiB per process | PSS MiB per process | "
          f"anon (private) MiB | file-backed PSS MiB | PSS of all {processes} |")
    print("|---|---|---|---|---|---|---|---|")
    for papers, result in results.items():
        per = result["workers"]

        def mean(key: str, per=per) -> int:
            return round(sum(w.get(key, 0) for w in per) / max(len(per), 1))

        print(f"| {papers:,} | {len(per)} | {result['index_files_mib']} | {mean('Rss')} | {mean('Pss')} | "
              f"{mean('Pss_Anon')} | {mean('Pss_File')} | {sum(w['Pss'] for w in per)} |")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("--papers", type=int, nargs="+", default=[75000], help="corpus sizes to measure")
    parser.add_argument("--processes", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument("--search-only", action="store_true",
                        help="no database or server: forked processes that import the app and open and "
                             "query an index of synthetic documents (for sizes too large to load here)")
    parser.add_argument("--build-into", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--build-search-into", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.build_into:
        build_here(args.build_into, args.papers[0])
        return 0
    if args.build_search_into:
        build_search_here(args.build_search_into, args.papers[0])
        return 0
    sys.path.insert(0, str(ROOT))
    if args.search_only:
        results = {papers: measure_search_only(build_search_only(papers), args.processes) for papers in args.papers}
    else:
        results = {papers: measure(build(papers), args.processes, papers) for papers in args.papers}
    if args.json:
        print(json.dumps(results))
    else:
        table(results, args.processes)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
