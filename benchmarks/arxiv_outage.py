"""arXiv down and a burst of writes: does any request wait, and do the rate limits hold? (issue 11, points 2, 3)

Starts gunicorn as ``paperfeed serve`` runs it (``--workers`` processes × 8 threads, gthread) on a fresh
data dir (SQLite file; ``--database-url`` for PostgreSQL, which must be empty), then in one run:

1. the home page alone, ``--home`` sequential requests: the reference;
2. arXiv's URL at a closed port, ``--submits`` simultaneous submissions of papers the hub lacks (two
   thirds through the API, one third through the web form) while the home page is asked again and
   again: latency of both (the issue measured 75 s per submission and > 8 s for the home page; the
   submitting member's API writes stay under their 60 per window);
3. 300 simultaneous vote POSTs from one member against 120 per window, 200 simultaneous API writes
   from one token against 60, and 300 threads (each its own database connection) counting against
   one key with a limit of 120: how many got through (the issue measured 153 and 76-112).

    python benchmarks/arxiv_outage.py
    python benchmarks/arxiv_outage.py --database-url postgres://paperfeed@127.0.0.1:54329/pf_bench --json

The machine may be shared: compare each figure with the reference from the same run.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import SimpleNamespace

import requests
from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.accounts.live import LiveHub  # noqa: E402  (after the path is set)
from tests.support.servers import free_port  # noqa: E402


def _stats(seconds: list[float]) -> dict:
    ordered = sorted(seconds)
    return {"n": len(ordered), "p50_ms": round(statistics.median(ordered) * 1000, 1),
            "p95_ms": round(ordered[max(int(len(ordered) * 0.95) - 1, 0)] * 1000, 1),
            "max_ms": round(ordered[-1] * 1000, 1)}


def _timed(call) -> tuple[int, float]:
    started = time.perf_counter()
    status = call()
    return status, time.perf_counter() - started


def _database(url: str | None):
    if not url:
        return SimpleNamespace(vendor="sqlite", settings_dict={})
    import dj_database_url

    parsed = dj_database_url.parse(url)
    return SimpleNamespace(vendor="postgresql", settings_dict=parsed)


def _csrf(hub: LiveHub, sessionid: str) -> str:
    return hub.session(sessionid).get(hub.url + "/submit/", timeout=60).cookies["csrftoken"]


def outage(hub: LiveHub, submits: int) -> dict:
    ada, bob = hub.harness("member", "ada"), hub.harness("member", "bob")
    csrf = _csrf(hub, bob["sessionid"])
    ids = [f"2612.9{n:04d}" for n in range(submits)]

    def submit(n: int, arxiv_id: str):
        if n % 3:
            return lambda: _timed(lambda: requests.post(hub.url + "/api/daily_papers/submit", json={"id": arxiv_id},
                                                        headers={"Authorization": f"Bearer {ada['token']}"},
                                                        timeout=300).status_code)
        return lambda: _timed(lambda: requests.post(
            hub.url + "/submit/", data={"arxiv_id": arxiv_id}, cookies={"sessionid": bob["sessionid"],
            "csrftoken": csrf}, headers={"X-CSRFToken": csrf}, allow_redirects=False, timeout=300).status_code)

    busy, home = threading.Event(), []
    busy.set()

    def poll_home() -> None:
        while busy.is_set():
            home.append(_timed(lambda: requests.get(hub.url + "/", timeout=300).status_code))
            time.sleep(0.05)

    poller = threading.Thread(target=poll_home)
    poller.start()
    with ThreadPoolExecutor(submits) as pool:
        answers = list(pool.map(lambda call: call(), [submit(n, i) for n, i in enumerate(ids)]))
    time.sleep(0.5)
    busy.clear()
    poller.join()
    return {"submits": {**_stats([s for _, s in answers]), "statuses": sorted({c for c, _ in answers})},
            "home_during": {**_stats([s for _, s in home]), "statuses": sorted({c for c, _ in home})}}


def limits(hub: LiveHub) -> dict:
    member = hub.harness("member", "carol")
    ids = hub.harness("papers", "3")["ids"]
    csrf = _csrf(hub, member["sessionid"])
    cookies = {"sessionid": member["sessionid"], "csrftoken": csrf}

    def vote(arxiv_id: str):
        return lambda: requests.post(f"{hub.url}/papers/{arxiv_id}/vote/", data={"action": "up"}, cookies=cookies,
                                     headers={"X-CSRFToken": csrf}, allow_redirects=False, timeout=300).status_code

    def write(arxiv_id: str):
        return lambda: requests.post(f"{hub.url}/api/papers/{arxiv_id}/upvote", timeout=300,
                                     headers={"Authorization": f"Bearer {member['token']}"}).status_code

    with ThreadPoolExecutor(48) as pool:
        votes = list(pool.map(lambda call: call(), [vote(ids[n % 3]) for n in range(300)]))
        writes = list(pool.map(lambda call: call(), [write(ids[n % 3]) for n in range(200)]))
    hammer = hub.harness("hammer", "bench.simultaneous", "300", "120")
    return {"votes": {"sent": 300, "limit": 120, "accepted": votes.count(302), "refused_429": votes.count(429)},
            "api_writes": {"sent": 200, "limit": 60, "accepted": writes.count(200), "refused_429": writes.count(429)},
            "simultaneous_attempts": {"sent": 300, "limit": 120, "accepted": hammer["accepted"],
                                      "refused_429": hammer["refused"], "errors": hammer["errors"]}}


def run(args: argparse.Namespace) -> dict:
    with tempfile.TemporaryDirectory(prefix="pf-outage-") as tmp:
        knobs = {"ARXIV_API_URL": f"http://127.0.0.1:{free_port()}/api/query", "SUBMIT_RATE": "100000/h",
                 "SUBMISSIONS_PER_DAY": "100000", "API_WRITE_RATE": "60/d", "VOTE_RATE": "120/d"}
        hub = LiveHub(Path(tmp), _database(args.database_url), **knobs)
        if args.database_url:
            hub.run("-m", "paperfeed.cli", "manage", "migrate", "-v0")
        try:
            hub.start(workers=args.workers)
            home = [_timed(lambda: requests.get(hub.url + "/", timeout=300).status_code)[1] for _ in range(args.home)]
            result = {"database": "postgresql" if args.database_url else "sqlite", "workers": args.workers,
                      "home_alone": _stats(home), **outage(hub, args.submits)}
            result["limits"] = limits(hub)  # fresh member and token: their own budgets
        finally:
            hub.stop()
    return result


def show(result: dict) -> None:
    table = Table(title=f"arXiv at a closed port: {result['database']}, gunicorn {result['workers']}×8 threads")
    for column in ("what", "n", "p50 ms", "p95 ms", "max ms", "statuses"):
        table.add_column(column)
    for key, label in (("home_alone", "home page, alone (reference)"), ("home_during", "home page during the burst"),
                       ("submits", "submissions of new papers")):
        row = result[key]
        table.add_row(label, str(row["n"]), str(row["p50_ms"]), str(row["p95_ms"]), str(row["max_ms"]),
                      ", ".join(map(str, row.get("statuses", ["200"]))))
    Console().print(table)
    limits_table = Table(title="Rate limits under simultaneous writes")
    for column in ("what", "sent", "limit", "accepted", "429"):
        limits_table.add_column(column)
    for key, label in (("votes", "vote POSTs, one member"), ("api_writes", "API writes, one token"),
                       ("simultaneous_attempts", "limiter, 300 threads, own connections")):
        row = result["limits"][key]
        limits_table.add_row(label, str(row["sent"]), str(row["limit"]), str(row["accepted"]), str(row["refused_429"]))
    Console().print(limits_table)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", help="an empty PostgreSQL database (default: a SQLite file)")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn processes (8 threads each)")
    parser.add_argument("--submits", type=int, default=30, help="simultaneous submissions while arXiv is down")
    parser.add_argument("--home", type=int, default=50, help="home page requests for the reference")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    result = run(args)
    if args.json:
        print(json.dumps(result))
    else:
        show(result)


if __name__ == "__main__":
    main()
