"""How long "For you" takes: from the picks cache, beside computing picks in the request as before.

On the bundled sample, a member saves papers of one topic and upvotes a few more. Then, in one run:

- **computed in the request** (what the page did before the cache): ``picks_for`` for 20 picks, the
  per-member model trained on every request;
- **first visit** (no cache row yet): computed once and stored -- what a member sees once;
- **from the cache**: ``GET /for-you/`` through Django's full request stack (sessions, auth,
  middleware, template), which now reads one PicksCache row and its papers;
- **refresh by the worker** after a vote: ``picks_cache.refresh_due`` for that member;
- **a reference** measured in the same run: the log-in form page through the same stack, so a
  figure taken on a busy machine can be read against what any page costs there.

Each line is the median and p95 of ``--requests`` runs, in milliseconds, with the number of SQL
queries of one run.

    python benchmarks/for_you.py
    python benchmarks/for_you.py --requests 200 --data-dir /tmp/pf-bench
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from djangoenv import setup_django  # noqa: E402


def timed(run, n: int) -> tuple[float, float, int]:
    """(median ms, p95 ms, queries of one run). Queries are counted with an execute wrapper: a request
    resets Django's own query log when it starts."""
    from django.db import connection

    queries = []
    with connection.execute_wrapper(lambda execute, sql, *args: queries.append(sql) or execute(sql, *args)):
        run()
    times = []
    for _ in range(n):
        started = time.perf_counter()
        run()
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, int(0.95 * len(times)))], len(queries)


def member_with_history():
    """A member who saved 15 cs.CL papers of the newest two weeks and upvoted 5 more."""
    from django.contrib.auth import get_user_model

    from paperfeed.accounts import collections, votes
    from paperfeed.digests.recommendations import recent_window
    from paperfeed.papers.models import Paper

    member = get_user_model().objects.create_user("bench-for-you", "bench@example.org", "bench-password-123")
    start, end = recent_window()
    topic = list(Paper.objects.visible().announced_or_listed(start, end).in_categories(["cs.CL"])[:20])
    shelf = collections.create(member, "Reading list")
    for paper in topic[:15]:
        collections.add(shelf, paper)
    for paper in topic[15:]:
        votes.upvote(member, paper)
    return member


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=100, help="runs per line")
    parser.add_argument("--data-dir", help="data dir (default: a new temporary one)")
    args = parser.parse_args()
    setup_django(args.data_dir, "pf-bench-foryou-")

    from django.test import Client
    from rich.console import Console
    from rich.table import Table

    from paperfeed.digests import picks_cache
    from paperfeed.digests.models import PicksCache
    from paperfeed.digests.recommendations import picks_for, recent_window
    from paperfeed.sample.loader import load_sample

    console = Console()
    load_sample(progress=True, console=console)
    member = member_with_history()
    client = Client()
    client.force_login(member)
    window = recent_window()

    def first_visit() -> None:
        PicksCache.objects.filter(user=member).delete()
        picks_cache.cached_picks(member)

    def page() -> None:
        assert client.get("/for-you/").status_code == 200

    def refresh() -> None:
        PicksCache.objects.filter(user=member).update(wanted_version=PicksCache.objects.get(user=member)
                                                      .computed_version + 1)
        picks_cache.refresh_due()

    rows = [
        ("computed in the request (before)", lambda: picks_for(member, window=window, limit=20),
         max(10, args.requests // 5)),
        ("first visit: computed once, stored", first_visit, max(10, args.requests // 5)),
        ("GET /for-you/ from the cache", page, args.requests),
        ("GET /accounts/login/ (reference: a form page)", lambda: client.get("/accounts/login/"), args.requests),
        ("worker refresh after a vote", refresh, max(10, args.requests // 5)),
    ]
    table = Table(title=f"For you, {member.username} (15 saved, 5 upvoted), window {window[0]}..{window[1]}")
    for column in ("what", "runs", "p50 ms", "p95 ms", "SQL queries"):
        table.add_column(column, justify="left" if column == "what" else "right")
    for label, run, n in rows:
        p50, p95, queries = timed(run, n)
        table.add_row(label, str(n), f"{p50:.1f}", f"{p95:.1f}", str(queries))
    console.print(table)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
