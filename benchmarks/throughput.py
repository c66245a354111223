"""Requests per second of `paperfeed serve` on the sample, each page beside a static file in one run.

    python benchmarks/throughput.py [--servers gthread,sync,granian] [--workers 2] [--connections 16]
                                    [--seconds 5] [--data-dir DIR] [--json]

Prepares a data dir the way `paperfeed demo --no-serve` does (SQLite, the bundled sample, the search
indexes; a given --data-dir is reused), adds one member with a session and a few votes, then for
each application server: starts `paperfeed serve` with PAPERFEED_WEB_SERVER set, waits until every
worker has warmed up, times the first request each connection makes ("first"), and loads each path
with --connections keep-alive connections for --seconds: the static CSS (the ceiling), the anonymous
home page, `/api/daily_papers`, a paper page and the member's daily page. Last, a vote written by this
process straight into the database (as another node would) must show on the paper page from every
worker at once ("invalidation").

The load generator is this script (asyncio, raw HTTP/1.1 keep-alive): no wrk here. It shares the
machine's cores with the server, so absolute rates are a floor; the ratios to the static file of the
same run are the comparable figures.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COUNT_RE = re.compile(rb'<span class="count">(\d+)</span>')


# ---------------------------------------------------------------------------------------- load


async def _request(reader, writer, raw: bytes) -> tuple[int, bool]:
    """Send one request on a keep-alive connection; (status, whether the server closes it now).

    gunicorn's sync worker answers one request per connection ("Connection: close"): the caller
    then opens a new one, as a browser would.
    """
    writer.write(raw)
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    headers = head.lower()
    closes = b"connection: close" in headers
    if b"transfer-encoding: chunked" in headers:
        while True:
            chunk = int((await reader.readuntil(b"\r\n")).strip(), 16)
            await reader.readexactly(chunk + 2)
            if chunk == 0:
                return status, closes
    match = re.search(rb"content-length: *(\d+)", headers)
    if match:
        await reader.readexactly(int(match[1]))
    elif closes:
        await reader.read(-1)
    return status, closes


def _raw(path: str, port: int, cookie: str | None) -> bytes:
    lines = [f"GET {path} HTTP/1.1", f"Host: 127.0.0.1:{port}", "Accept-Encoding: identity", "Connection: keep-alive"]
    if cookie:
        lines.append(f"Cookie: {cookie}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


async def _connection(port: int, raw: bytes, until: float, latencies: list[float], statuses: list[int]) -> None:
    """One client: requests back to back until ``until``; a new connection's setup counts in the latency."""
    writer = None
    try:
        while time.perf_counter() < until:
            started = time.perf_counter()
            if writer is None:
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
            try:
                status, closes = await _request(reader, writer, raw)
            except (asyncio.IncompleteReadError, ConnectionError):
                status, closes = 599, True  # cut off: counted as a failed request
            latencies.append(time.perf_counter() - started)
            statuses.append(status)
            if closes:
                writer.close()
                writer = None
    finally:
        if writer is not None:
            writer.close()


async def _load(port: int, path: str, cookie: str | None, connections: int, seconds: float) -> dict:
    raw = _raw(path, port, cookie)
    latencies: list[float] = []
    statuses: list[int] = []
    started = time.perf_counter()
    until = started + seconds
    await asyncio.gather(*(_connection(port, raw, until, latencies, statuses) for _ in range(connections)))
    elapsed = time.perf_counter() - started
    latencies.sort()
    return {
        "requests": len(latencies),
        "rps": len(latencies) / elapsed,
        "p50_ms": 1000 * latencies[len(latencies) // 2] if latencies else None,
        "p95_ms": 1000 * latencies[int(len(latencies) * 0.95)] if latencies else None,
        "non_2xx": sum(1 for s in statuses if not 200 <= s < 300),
    }


async def _once(port: int, path: str, cookie: str | None) -> tuple[float, int, bytes]:
    """One request on a fresh connection: (seconds, status, body)."""
    started = time.perf_counter()
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(_raw(path, port, cookie).replace(b"keep-alive", b"close"))
    data = await reader.read(-1)
    writer.close()
    head, _, body = data.partition(b"\r\n\r\n")
    return time.perf_counter() - started, int(head[9:12]), body


# ---------------------------------------------------------------------------------------- setup


def prepare(data_dir: Path) -> dict:
    """The sample in a data dir (as `paperfeed demo --no-serve`), a member with a session and votes."""
    env = {**os.environ, "PAPERFEED_DATA_DIR": str(data_dir), "HF_HUB_OFFLINE": "1"}
    subprocess.run([sys.executable, "-m", "paperfeed.cli", "demo", "--no-serve"], env=env, check=True, cwd=ROOT,
                   stdout=subprocess.DEVNULL)
    os.environ.update({"PAPERFEED_DATA_DIR": str(data_dir), "DJANGO_SETTINGS_MODULE": "paperfeed.settings"})
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
    from django.contrib.sessions.backends.db import SessionStore

    from paperfeed.accounts.votes import upvote
    from paperfeed.lists import ranking

    member, _ = get_user_model().objects.get_or_create(username="bench-member")
    papers = list(ranking.listed_papers(ranking.default_period())[:5])
    for paper in papers[:3]:
        upvote(member, paper)
    session = SessionStore()
    session.update({SESSION_KEY: str(member.pk), BACKEND_SESSION_KEY: "django.contrib.auth.backends.ModelBackend",
                    HASH_SESSION_KEY: member.get_session_auth_hash()})
    session.create()
    return {"cookie": f"{settings.SESSION_COOKIE_NAME}={session.session_key}", "member": member,
            "paper": papers[-1], "day": ranking.default_period().key}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start(kind: str, data_dir: Path, workers: int) -> tuple[subprocess.Popen, int, list[float]]:
    """`paperfeed serve` with this server; returns once every worker said it is warm."""
    port = _free_port()
    env = {**os.environ, "PAPERFEED_DATA_DIR": str(data_dir), "PAPERFEED_WEB_SERVER": kind, "HF_HUB_OFFLINE": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "paperfeed.cli", "serve", "--no-migrate", "--port", str(port), "--workers", str(workers)],
        env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, start_new_session=True)
    warm: list[float] = []
    deadline = time.monotonic() + 300
    while len(warm) < workers and time.monotonic() < deadline:
        line = process.stderr.readline()
        if not line and process.poll() is not None:
            raise SystemExit(f"{kind}: the server stopped before it was warm")
        if match := re.search(r"worker \d+ warm in (\d+) ms", line):
            warm.append(int(match[1]))
    subprocess.Popen(["cat"], stdin=process.stderr, stdout=subprocess.DEVNULL)  # keep its pipe drained
    return process, port, warm


def stop(process: subprocess.Popen) -> None:
    os.killpg(process.pid, 2)
    try:
        process.wait(20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, 9)
        process.wait()


# ---------------------------------------------------------------------------------------- measure


def paths(setup: dict) -> dict[str, tuple[str, str | None]]:
    return {
        "static CSS": ("/static/css/paperfeed.css", None),
        "/ (anonymous)": ("/", None),
        "/api/daily_papers": ("/api/daily_papers", None),
        "paper page": (f"/papers/{setup['paper'].arxiv_id}/", None),
        "daily page, member": (f"/date/{setup['day']}/", setup["cookie"]),
    }


async def _first_requests(port: int, targets: list[tuple[str, str | None]]) -> list[float]:
    answers = await asyncio.gather(*(_once(port, path, cookie) for path, cookie in targets))
    return [1000 * seconds for seconds, _, _ in answers]


async def _counts(port: int, path: str, n: int) -> set[int]:
    answers = await asyncio.gather(*(_once(port, path, None) for _ in range(n)))
    return {int(COUNT_RE.search(body)[1]) for _, _, body in answers}


def invalidation(port: int, setup: dict, workers: int) -> bool:
    """A vote written by another process (this one) shows on the paper page from every worker at once."""
    from paperfeed.accounts.votes import unvote, upvote

    path = f"/papers/{setup['paper'].arxiv_id}/"
    before = asyncio.run(_counts(port, path, 4 * workers))
    changed = upvote if not _voted(setup) else unvote
    changed(setup["member"], setup["paper"])
    after = asyncio.run(_counts(port, path, 4 * workers))
    return len(before) == 1 and len(after) == 1 and abs(after.pop() - before.pop()) == 1


def _voted(setup: dict) -> bool:
    from paperfeed.accounts.votes import has_upvoted

    return has_upvoted(setup["member"], setup["paper"])


def measure(kind: str, data_dir: Path, setup: dict, args) -> dict:
    process, port, warm = start(kind, data_dir, args.workers)
    try:
        targets = list(paths(setup).values())
        first = asyncio.run(_first_requests(port, [targets[n % len(targets)] for n in range(2 * args.workers)]))
        rows = {}
        for name, (path, cookie) in paths(setup).items():
            asyncio.run(_load(port, path, cookie, args.connections, 0.5))  # settle
            rows[name] = asyncio.run(_load(port, path, cookie, args.connections, args.seconds))
        fresh = invalidation(port, setup, args.workers)
    finally:
        stop(process)
    return {"warm_up_ms": warm, "first_request_ms": first, "paths": rows, "invalidation_reaches_every_worker": fresh}


def table(results: dict, args) -> str:
    lines = [f"{args.workers} processes, {args.connections} connections, {args.seconds:g} s per path; "
             f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the end", "",
             "| server | path | req/s | % of static | p50 ms | p95 ms | non-2xx |", "|---|---|---|---|---|---|---|"]
    for kind, result in results.items():
        static = result["paths"]["static CSS"]["rps"]
        for name, row in result["paths"].items():
            lines.append(f"| {kind} | {name} | {row['rps']:,.0f} | {100 * row['rps'] / static:.0f} % | "
                         f"{row['p50_ms']:.1f} | {row['p95_ms']:.1f} | {row['non_2xx']} |")
    lines += ["", "| server | warm-up per worker (ms) | first requests, max (ms) | a vote reaches every worker |",
              "|---|---|---|---|"]
    for kind, result in results.items():
        lines.append(f"| {kind} | {', '.join(map(str, result['warm_up_ms']))} | {max(result['first_request_ms']):.0f} | "
                     f"{'yes' if result['invalidation_reaches_every_worker'] else 'NO'} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--servers", default="gthread,sync,granian", help="comma-separated: gthread, sync, granian")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--data-dir", help="reuse this data dir (prepared once) instead of a fresh one")
    parser.add_argument("--json", action="store_true", help="print the results as JSON instead of tables")
    args = parser.parse_args()
    data_dir = Path(args.data_dir or tempfile.mkdtemp(prefix="paperfeed-throughput-"))
    setup = prepare(data_dir)
    from django.db import connections

    results = {}
    for kind in args.servers.split(","):
        connections.close_all()
        results[kind.strip()] = measure(kind.strip(), data_dir, setup, args)
    if args.json:
        print(json.dumps({"workers": args.workers, "connections": args.connections, "seconds": args.seconds,
                          "cores": os.cpu_count(), "load_average": os.getloadavg()[0], "servers": results}, indent=2))
    else:
        print(table(results, args))


if __name__ == "__main__":
    main()
