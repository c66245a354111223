"""Latency of the JSON API, in process (Django test client, no network): p50/p95 per endpoint.

    python benchmarks/api.py [--requests 200] [--papers 3000] [--data-dir DIR]

Uses a fresh data dir (SQLite) unless --data-dir or PAPERFEED_DATABASE_URL says otherwise,
loads the bundled sample (paperfeed.sample.loader.load_sample) and, if the sample is not
there, synthetic papers over 60 days with daily entries and votes. Search is measured
when paperfeed.search.service exists (its indexes are built first).
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from datetime import UTC, date, datetime, timedelta

from djangoenv import setup_django

WORDS = ["diffusion", "transformer", "speech", "retrieval", "agent", "benchmark", "reasoning", "vision", "language", "model", "sparse", "attention", "graph", "reinforcement", "learning", "robust", "efficient", "multimodal", "alignment", "video", "token"]


def synthetic(n: int, console) -> str:
    """n papers over 60 days, a third of them on daily lists, with imported votes."""
    from rich.progress import Progress

    from paperfeed.papers.models import DailyEntry, Paper
    from paperfeed.papers.records import PaperRecord
    from paperfeed.papers.upsert import upsert_papers

    rng = random.Random(7)
    start = date(2026, 1, 5)
    records = []
    for i in range(n):
        day = start + timedelta(days=i * 60 // n)
        title = " ".join(rng.choice(WORDS) for _ in range(8)).capitalize()
        records.append(PaperRecord(
            arxiv_id=f"2601.{i:05d}", title=title,
            abstract=" ".join(rng.choice(WORDS) for _ in range(150)),
            authors=[f"Author {rng.randint(1, 5000)}" for _ in range(rng.randint(1, 12))],
            categories=[rng.choice(["cs.CL", "cs.CV", "cs.LG", "cs.AI"])],
            published=datetime(day.year, day.month, day.day, 12, tzinfo=UTC), announced=day,
            imported_upvotes=int(rng.paretovariate(1.2)) - 1, source="synthetic",
        ))
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task("synthetic papers", total=n)
        upsert_papers(records, on_chunk=lambda k: progress.advance(task, k))
    ids = dict(Paper.objects.values_list("arxiv_id", "pk"))
    DailyEntry.objects.bulk_create(
        [DailyEntry(paper_id=ids[r.arxiv_id], day=r.announced, source="hf", submitter_name="akhaliq")
         for i, r in enumerate(records) if i % 3 == 0],
        batch_size=500,
    )
    return f"synthetic ({n:,} papers)"


def load_data(n: int, console) -> str:
    from paperfeed.papers.models import Paper

    if Paper.objects.exists():
        return f"existing database ({Paper.objects.count():,} papers)"
    try:
        from paperfeed.sample.loader import load_sample

        load_sample(progress=True, console=console)
    except Exception as error:  # a half-built sample must not stop the benchmark
        console.print(f"[yellow]sample not loaded: {error}")
    if Paper.objects.exists():
        return f"bundled sample ({Paper.objects.count():,} papers)"
    return synthetic(n, console)


def search_ready(console) -> bool:
    try:
        import paperfeed.search.service  # noqa: F401
    except ImportError:
        return False
    try:
        from paperfeed.search.sync import sync_indexes

        sync_indexes(True, console)
    except ImportError:
        pass
    return True


def measure(client, url: str, n: int) -> tuple[float, float, int]:
    for _ in range(3):  # warm caches and lazy imports
        client.get(url)
    times = []
    status = 0
    for _ in range(n):
        t0 = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - t0) * 1000)
        status = response.status_code
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, int(len(times) * 0.95))], status


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--papers", type=int, default=3000, help="synthetic papers when there is no sample")
    parser.add_argument("--data-dir")
    args = parser.parse_args()
    from rich.console import Console
    from rich.table import Table

    console = Console(stderr=True)
    setup_django(args.data_dir, "pf-bench-api-")
    from django.db import connection
    from django.test import Client

    from paperfeed.lists import ranking
    from paperfeed.papers.models import Paper

    source = load_data(args.papers, console)
    period = ranking.default_period()
    month = period.start.strftime("%Y-%m")
    some_id = Paper.objects.values_list("arxiv_id", flat=True).first()
    urls = [
        ("/api/daily_papers", "latest day (default)"),
        (f"/api/daily_papers?month={month}", "one month"),
        ("/api/daily_papers?sort=trending", "trending"),
        (f"/api/papers/{some_id}", "one paper"),
        ("/api/papers?limit=50", "cursor list, first page"),
    ]
    if search_ready(console):
        urls += [("/api/papers/search?q=speech+recognition", "search"),
                 ("/api/papers/search?q=diffusion&groups=1", "search + groups")]
    else:
        console.print("[yellow]paperfeed.search.service not available: search not measured")
    client = Client()
    table = Table(title=f"JSON API latency, {args.requests} requests each, {connection.vendor}, {source}")
    for col in ("endpoint", "what", "status", "p50 ms", "p95 ms"):
        table.add_column(col, justify="right" if col.endswith("ms") else "left")
    for url, what in urls:
        p50, p95, status = measure(client, url, args.requests)
        table.add_row(url, what, str(status), f"{p50:.1f}", f"{p95:.1f}")
    Console(width=130).print(table)


if __name__ == "__main__":
    main()
