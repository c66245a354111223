"""Requests per second of the search page on the bundled sample, beside a static file of the same server.

    python benchmarks/search_page.py [--workers 2] [--connections 8] [--seconds 10] [--data-dir DIR]
                                     [--server gthread|granian] [--no-page-cache] [--rows static,new,popular]
                                     [--json]

Prepares a data dir as ``paperfeed demo --no-serve`` does (SQLite, the bundled sample, the
search index; a given ``--data-dir`` is reused), starts ``paperfeed serve`` with ``--workers``
processes, waits until every worker is warm and it answers, then loads, one after the other in the
same run, with ``--connections`` keep-alive connections for ``--seconds`` each:

* the static CSS file (the server's ceiling on this machine);
* ``/search/?q=…`` with a different query on every request, 2-4 words from the sample's titles
  (no two requests of the run share a query, so no query vector, ranked list or snippet is
  reused; the "distinct" column counts them). Paper cards are reused across queries
  (web/cardcache.py); ``--no-page-cache`` starts the server with ``PAPERFEED_PAGE_CACHE=0`` to
  render every card anew;
* ``/search/?q=…`` cycling through 20 queries (popular queries: their vectors and ranked lists
  are kept by each worker, so a repeat costs a visibility check, the page's rows and the template;
  each is asked ``3 x workers`` times before the row is timed, so the row measures repeats).

The load generator is this script (asyncio, raw HTTP/1.1) on the same cores as the server, so
absolute rates are a floor; the ratio to the static file of the same run is the comparable figure.
On a shared machine both move with the neighbours' load, so each row also reports the CPU time the
server's processes (all threads, from /proc) and this script spent per request: work, which the
neighbours do not change much, and the rate 2 dedicated cores would reach at that cost
("CPU-bound ceiling" = cores x 1000 / (server + client CPU ms)).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote_plus

ROOT = Path(__file__).resolve().parents[1]
STATIC = "/static/css/paperfeed.css"
_STOP = {"a", "an", "the", "of", "for", "and", "in", "on", "with", "to", "via", "from", "by", "is", "are"}


def prepared_data_dir(given: str | None) -> Path:
    """``given`` (a fresh temporary one when None), holding the bundled sample as ``paperfeed demo`` loads it."""
    data_dir = Path(given or tempfile.mkdtemp(prefix="pf-search-page-"))
    if not (data_dir / "paperfeed.sqlite3").exists():
        subprocess.run([sys.executable, "-m", "paperfeed.cli", "demo", "--no-serve", "--data-dir", str(data_dir)],
                       env={**os.environ, "HF_HUB_OFFLINE": "1"}, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    return data_dir


def queries(data_dir: Path, n: int, seed: int) -> list[str]:
    """``n`` distinct queries of 2-4 title words from the sample's papers."""
    import sqlite3

    with sqlite3.connect(data_dir / "paperfeed.sqlite3") as db:
        titles = [row[0] for row in db.execute("SELECT title FROM papers_paper")]
    rng = random.Random(seed)
    out: dict[str, None] = {}
    while len(out) < n:
        words = [w.strip(":,.()?!") for w in rng.choice(titles).split() if w.lower() not in _STOP and len(w) > 2]
        if len(words) >= 2:
            start = rng.randrange(0, max(1, len(words) - 2))
            out[" ".join(words[start : start + rng.randint(2, 4)])] = None
    return list(out)


async def _connection(port: int, targets: list[str], until: float, done: list[float], statuses: list[int],
                      sent: set[str]) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        while time.perf_counter() < until and targets:
            path = targets.pop()
            sent.add(path)
            started = time.perf_counter()
            writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: keep-alive\r\n\r\n".encode())
            head = await reader.readuntil(b"\r\n\r\n")
            length = int(next(line.split(b":")[1] for line in head.lower().split(b"\r\n")
                              if line.startswith(b"content-length:")))
            await reader.readexactly(length)
            statuses.append(int(head[9:12]))
            done.append(time.perf_counter() - started)
            if b"connection: close" in head.lower():
                writer.close()
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
    finally:
        writer.close()


def _server_cpu_seconds(group: int) -> dict[str, float]:
    """User + system CPU time of each process in the server's process group (Linux /proc), by pid."""
    out = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == group:  # pgrp; utime and stime follow at 11 and 12
            out[stat.parent.name] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return out


def _split(before: dict[str, float], after: dict[str, float]) -> list[float]:
    """Each server process's share of the row's server CPU, largest first (the master included)."""
    spent = [after[pid] - before.get(pid, 0.0) for pid in after]
    total = sum(spent) or 1.0
    return sorted((round(s / total, 2) for s in spent if s > 0), reverse=True)


async def _load(port: int, group: int, targets: list[str], connections: int, seconds: float) -> dict:
    done: list[float] = []
    statuses: list[int] = []
    sent: set[str] = set()
    server_cpu, client_cpu = _server_cpu_seconds(group), time.process_time()
    started = time.perf_counter()
    await asyncio.gather(*(_connection(port, targets, started + seconds, done, statuses, sent)
                           for _ in range(connections)))
    elapsed = time.perf_counter() - started
    server_after = _server_cpu_seconds(group)
    server_ms = 1000 * (sum(server_after.values()) - sum(server_cpu.values())) / max(1, len(done))
    client_ms = 1000 * (time.process_time() - client_cpu) / max(1, len(done))
    done.sort()
    return {"requests": len(done), "rps": round(len(done) / elapsed, 1),
            "server_cpu_ms": round(server_ms, 2), "client_cpu_ms": round(client_ms, 2),
            "cpu_bound_rps_2_cores": round(2000 / (server_ms + client_ms), 1) if server_ms + client_ms else None,
            "p50_ms": round(1000 * done[len(done) // 2], 1), "p95_ms": round(1000 * done[int(len(done) * 0.95)], 1),
            "non_200": sum(1 for s in statuses if s != 200), "distinct": len(sent),
            "process_cpu_split": _split(server_cpu, server_after)}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serve(data_dir: Path, workers: int, server: str, page_cache: bool) -> tuple[subprocess.Popen, int]:
    """``paperfeed serve`` on a free port, returned once every worker is warm and it answers the search page.

    Every worker, not the first: a row started while one worker still warms up runs its keep-alive
    connections in the other process alone (CPU split 100/0), which measures one core, not two.
    """
    import urllib.error
    import urllib.request

    port = _free_port()
    env = {**os.environ, "PAPERFEED_DATA_DIR": str(data_dir), "HF_HUB_OFFLINE": "1",
           "PAPERFEED_WEB_SERVER": server, "PAPERFEED_PAGE_CACHE": "1" if page_cache else "0"}
    with tempfile.TemporaryFile() as log:  # the workers' stderr; the server keeps its own descriptor
        process = subprocess.Popen(
            [sys.executable, "-m", "paperfeed.cli", "serve", "--no-migrate", "--port", str(port),
             "--workers", str(workers)],
            env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=log, start_new_session=True)
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            log.seek(0)
            if log.read().count(b" warm in ") < workers:  # server.warm_up's line, once per worker
                time.sleep(0.2)
                continue
            try:
                for _ in range(workers * 4):  # reach every worker once
                    urllib.request.urlopen(f"http://127.0.0.1:{port}/search/?q=warm+up", timeout=30).read()
                return process, port
            except urllib.error.HTTPError as error:
                os.killpg(process.pid, 2)
                raise SystemExit(f"the search page answered {error.code}") from error
            except OSError:
                time.sleep(0.5)
    process.kill()
    raise SystemExit("the server did not answer within 300 s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--data-dir", help="reuse this data dir (prepared once) instead of a fresh one")
    parser.add_argument("--server", choices=("gthread", "granian"), default="gthread")
    parser.add_argument("--no-page-cache", action="store_true", help="render every card anew (PAPERFEED_PAGE_CACHE=0)")
    parser.add_argument("--rows", default="static,new,popular",
                        help="which rows to load, comma-separated (static is needed for the 'of static' column)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    data_dir = prepared_data_dir(args.data_dir)
    distinct = queries(data_dir, 20_000, seed=3)
    popular = queries(data_dir, 20, seed=4)
    process, port = serve(data_dir, args.workers, args.server, not args.no_page_cache)
    try:
        rows = {
            "static CSS": [STATIC] * 10**6,
            "search, a new query each request": [f"/search/?q={quote_plus(q)}" for q in distinct],
            "search, 20 popular queries": [f"/search/?q={quote_plus(q)}" for q in popular] * 50_000,
        }
        wanted = set(args.rows.split(","))
        rows = {name: targets for name, targets in rows.items()
                if next(key for key in ("static", "new", "popular") if key in name) in wanted}
        results = {}
        for name, targets in rows.items():
            if "popular" in name:
                asyncio.run(_load(port, process.pid, [f"/search/?q={quote_plus(q)}" for q in popular]
                                  * 3 * args.workers, args.connections, 600))
            results[name] = asyncio.run(_load(port, process.pid, targets, args.connections, args.seconds))
    finally:
        os.killpg(process.pid, 2)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:  # a worker stuck in a long request on a busy machine
            os.killpg(process.pid, 9)
            process.wait()
    report = {"server": args.server, "page_cache": not args.no_page_cache,
              "workers": args.workers, "connections": args.connections, "seconds": args.seconds,
              "cores": os.cpu_count(), "load_average": [round(x, 2) for x in os.getloadavg()], "results": results}
    if args.json:
        print(json.dumps(report))
        return 0
    from rich.console import Console
    from rich.table import Table

    static = results["static CSS"]["rps"] if "static CSS" in results else float("nan")
    cache = "" if report["page_cache"] else ", PAGE_CACHE=0"
    table = Table(title=f"paperfeed serve ({args.server}{cache}), {args.workers} workers, {args.connections} "
                        f"connections, {args.seconds:.0f} s each, {os.cpu_count()} cores "
                        f"(load average {report['load_average'][0]})")
    for col in ("path", "req/s", "of static", "p50 ms", "p95 ms", "requests", "distinct", "non-200",
                "server CPU ms/req", "client CPU ms/req", "CPU-bound ceiling, 2 cores", "CPU split by process"):
        table.add_column(col, justify="left" if col == "path" else "right")
    for name, r in results.items():
        table.add_row(name, f"{r['rps']:.0f}", f"{r['rps'] / static:.1%}", f"{r['p50_ms']:.1f}", f"{r['p95_ms']:.1f}",
                      str(r["requests"]), str(r["distinct"]), str(r["non_200"]), f"{r['server_cpu_ms']:.2f}",
                      f"{r['client_cpu_ms']:.2f}", f"{r['cpu_bound_rps_2_cores']:,.0f} req/s",
                      " / ".join(f"{share:.0%}" for share in r["process_cpu_split"]))
    Console(width=230).print(table)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
