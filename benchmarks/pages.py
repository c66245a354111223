"""Latency of the web pages, in process (Django test client, no network): p50/p95 and queries.

    python benchmarks/pages.py [--requests 200] [--days 30] [--per-day 60] [--data-dir DIR]

Uses a fresh data dir (SQLite) unless --data-dir or PAPERFEED_DATABASE_URL says otherwise,
loads the bundled sample (paperfeed.sample.loader.load_sample) and, when the sample is not
there, synthetic data shaped like a busy hub: --days days of --per-day listed papers with
heavy-tailed imported votes, 300 members and local votes over the last days. Measures the
daily page (anonymous and signed in), a week, trending and a paper page; each row is one
URL requested --requests times after 5 warm-up requests.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from datetime import UTC, datetime, timedelta

from djangoenv import setup_django

WORDS = ["diffusion", "transformer", "speech", "retrieval", "agent", "benchmark", "reasoning", "vision", "language", "model", "sparse", "attention", "graph", "reinforcement", "learning", "robust", "efficient", "multimodal", "alignment", "video", "token", "scaling"]


def synthetic(days: int, per_day: int, console) -> None:
    """days × per_day listed papers, imported votes, 300 members casting votes over the last week."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone
    from rich.progress import Progress

    from paperfeed.accounts.models import Upvote
    from paperfeed.papers.models import DailyEntry, Paper
    from paperfeed.papers.records import PaperRecord
    from paperfeed.papers.upsert import upsert_papers

    rng = random.Random(11)
    last = timezone.localdate()
    records = []
    for d in range(days):
        day = last - timedelta(days=days - 1 - d)
        for i in range(per_day):
            title = " ".join(rng.choice(WORDS) for _ in range(9)).capitalize()
            records.append(
                PaperRecord(
                    arxiv_id=f"{day:%y%m}.{d * per_day + i:05d}",
                    title=title,
                    abstract=" ".join(rng.choice(WORDS) for _ in range(160)),
                    authors=[f"Author {rng.randint(1, 9000)}" for _ in range(rng.randint(1, 14))],
                    categories=rng.sample(["cs.CL", "cs.CV", "cs.LG", "cs.AI", "stat.ML"], rng.randint(1, 3)),
                    published=datetime(day.year, day.month, day.day, 12, tzinfo=UTC),
                    announced=day,
                    imported_upvotes=int(rng.paretovariate(1.1)) - 1,
                    comment="Code: https://github.com/example/repo" if rng.random() < 0.3 else None,
                    source="synthetic",
                    version=1,
                )
            )
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task("synthetic papers", total=len(records))
        for start in range(0, len(records), 500):
            upsert_papers(records[start : start + 500])
            progress.advance(task, min(500, len(records) - start))
    ids = dict(Paper.objects.values_list("arxiv_id", "pk"))
    DailyEntry.objects.bulk_create(
        [DailyEntry(paper_id=ids[r.arxiv_id], day=r.announced, source=DailyEntry.Source.HF) for r in records],
        ignore_conflicts=True,
    )
    User = get_user_model()
    User.objects.bulk_create([User(username=f"member{i}") for i in range(300)])
    users = list(User.objects.values_list("pk", flat=True))
    recent = [ids[r.arxiv_id] for r in records[-7 * per_day :]]
    votes = {(rng.choice(users), rng.choice(recent)) for _ in range(4000)}
    Upvote.objects.bulk_create([Upvote(user_id=u, paper_id=p) for u, p in votes], ignore_conflicts=True)
    for paper_id in {p for _, p in votes}:
        Paper.objects.filter(pk=paper_id).update(local_upvotes=Upvote.objects.filter(paper_id=paper_id).count())


def measure(client, url: str, n: int) -> tuple[float, float, int, int]:
    from django.db import connection

    for _ in range(5):
        assert client.get(url).status_code == 200, url
    queries: list[str] = []

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        client.get(url)
    timings = []
    for _ in range(n):
        started = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    p95 = timings[min(len(timings) - 1, int(round(0.95 * len(timings))) - 1)]
    return statistics.median(timings), p95, len(queries), len(response.content)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--per-day", type=int, default=60)
    parser.add_argument("--data-dir")
    args = parser.parse_args()
    setup_django(args.data_dir, "pf-bench-pages-")

    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from rich.console import Console
    from rich.table import Table

    from paperfeed.accounts.models import Upvote
    from paperfeed.lists import ranking
    from paperfeed.papers.models import DailyEntry, Paper
    from paperfeed.sample.loader import load_sample

    console = Console()
    load_sample(progress=True, console=console)
    source = "bundled sample"
    if not DailyEntry.objects.exists():
        source = f"synthetic ({args.days} days × {args.per_day} papers)"
        synthetic(args.days, args.per_day, console)

    period = ranking.default_period()
    top = ranking.listed_papers(period).first()
    week = ranking.week_period(period.start)
    member, _ = get_user_model().objects.get_or_create(username="bench-member")
    for paper in ranking.listed_papers(period)[:10]:
        Upvote.objects.get_or_create(user=member, paper=paper)

    anonymous, signed_in = Client(), Client()
    signed_in.force_login(member)
    rows = [
        ("daily (/), anonymous", anonymous, "/"),
        ("daily (/), signed in", signed_in, "/"),
        (f"week {week.key}", anonymous, f"/week/{week.key}/"),
        ("trending", anonymous, "/trending/"),
        ("trending, signed in", signed_in, "/trending/"),
        ("paper page", signed_in, top.get_absolute_url()),
    ]
    table = Table(title=f"paperfeed pages, {args.requests} requests each, {connection.vendor}, {source}")
    for column in ("page", "p50 ms", "p95 ms", "queries", "KiB"):
        table.add_column(column, justify="left" if column == "page" else "right")
    for label, client, url in rows:
        p50, p95, queries, size = measure(client, url, args.requests)
        table.add_row(label, f"{p50:.1f}", f"{p95:.1f}", str(queries), f"{size / 1024:.0f}")
    console.print(table)
    listed = ranking.listed_papers(period).count()
    console.print(
        f"{Paper.objects.count()} papers, {DailyEntry.objects.count()} entries, {Upvote.objects.count()} votes; "
        f"{listed} papers on {period.key}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
