"""Soak and faults: the production topology under mixed load, with kill -9 in the middle of work.

What runs (all on this machine, all real processes):

- a throwaway PostgreSQL cluster (scripts/pg-throwaway.sh, port ``--pg-port``, default 54339);
- two "nodes": two data dirs sharing that database, each with ``paperfeed serve --workers N`` and
  its own ``paperfeed follow-index``; node A is prepared with the bundled sample, node B starts
  with an empty index dir and must catch up by itself;
- one ``paperfeed worker`` (on node A, where a deployment would put it);
- a local OAI-PMH server serving the real records of tests/fixtures/arxiv-formats, slowed so a
  harvest is in flight for many seconds; a local arXiv API (tests/support/fake_arxiv.py) for
  submissions of papers the hub lacks; a local SMTP server (aiosmtpd), slowed per recipient so a
  digest run is in flight.

During ``--seconds`` of mixed load (reads, searches, votes, saves, submissions, subscriptions, and
a static file as the reference measured beside them) from ``--clients`` threads spread over both nodes, it kills with SIGKILL: one gunicorn worker of
node B (its master starts a new one, as it would in production), the whole worker process group
mid-harvest and again mid-digest (restarted a second later and the job queued again, as
systemd's ``Restart=always`` and the next schedule would). Then it waits for the queues to drain
and checks, against the database and the SMTP server:

- every write a client got a 2xx for is in the database (``writes lost`` must be 0);
- nothing is duplicated (papers, listings, votes, collection items, digest ledger rows);
- every digest email arrived exactly once (``duplicate emails`` must be 0);
- no 5xx (connections cut by the kill are counted apart);
- the harvest finished after its kill, and both nodes' indexes hold every visible paper.

Prints req/s and latency percentiles per kind and the checks; ``--json`` prints one JSON object.

    python benchmarks/soak.py                      # 60 s, 2 web processes per node
    python benchmarks/soak.py --seconds 20 --json  # a shorter run, machine-readable

Needs the PostgreSQL server binaries (apt-get install postgresql) and the test extras
(aiosmtpd); reads nothing outside the repository.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.ingest.server import OaiPages  # noqa: E402 - needs ROOT on sys.path
from tests.support.fake_arxiv import NEW_ID, FakeArxiv  # noqa: E402
from tests.support.servers import LocalServer, SmtpSink, free_port  # noqa: E402

FORMATS = ROOT / "tests" / "fixtures" / "arxiv-formats"
# "static" is the reference: a file whitenoise serves, through the same servers, in the same run.
WEIGHTS = {"read": 34, "search": 12, "vote": 20, "save": 14, "submit": 10, "subscribe": 10, "static": 5}
STATIC = "/static/css/paperfeed.css"
WRITES = ("vote", "save", "submit", "subscribe")
WORDS = ["neural", "quantum", "graph", "language model", "diffusion", "gaussian splatting", "SSL", "transformer"]
DIGEST_SUBSCRIBERS = 150
STALE_SENDING = 5  # PAPERFEED_DIGEST_STALE_SENDING for the soak: a dead worker's digest is retaken soon


# --------------------------------------------------------------------------- local servers


class SlowSmtp(SmtpSink):
    """The shared SMTP sink, but each recipient takes ``delay`` seconds to accept, as a real relay can.

    The wait is at RCPT, before the message is handed over, so a kill lands while a digest run is
    in flight and not between the server's 250 and the worker's bookkeeping.
    """

    def __init__(self, delay: float) -> None:
        super().__init__()
        handler, pause = self.controller.handler, delay

        async def handle_RCPT(server, session, envelope, address, options):  # noqa: N802 - aiosmtpd hook
            await asyncio.sleep(pause)
            envelope.rcpt_tos.append(address)
            return "250 OK"

        handler.handle_RCPT = handle_RCPT


def start_postgres(directory: Path, port: int) -> str:
    """A fresh cluster from scripts/pg-throwaway.sh, plus the ``paperfeed`` database; returns its URL."""
    env = {**os.environ, "PAPERFEED_TEST_PG_PORT": str(port)}
    if os.geteuid() == 0:
        directory.parent.chmod(0o755)
    out = subprocess.run(["bash", str(ROOT / "scripts" / "pg-throwaway.sh"), "start", str(directory)], env=env,
                         capture_output=True, text=True, check=True).stdout
    url = out.strip().split("=", 1)[1]
    import psycopg

    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS paperfeed")
        conn.execute("CREATE DATABASE paperfeed")
    return url


def stop_postgres(directory: Path) -> None:
    subprocess.run(["bash", str(ROOT / "scripts" / "pg-throwaway.sh"), "stop", str(directory)],
                   capture_output=True, check=False)


# --------------------------------------------------------------------------- processes


@dataclass
class Proc:
    """One supervised process: started in its own process group so a kill takes all of it."""

    name: str
    argv: list[str]
    env: dict[str, str]
    log: Path
    popen: subprocess.Popen | None = None
    restarts: int = 0

    def start(self) -> Proc:
        handle = open(self.log, "a")  # noqa: SIM115 - the child owns it
        self.popen = subprocess.Popen(self.argv, cwd=ROOT, env=self.env, stdout=handle, stderr=subprocess.STDOUT,
                                      start_new_session=True)
        return self

    def kill9(self) -> None:
        """SIGKILL the whole group: the worker's django-q2 children die with it, as under systemd."""
        os.killpg(self.popen.pid, signal.SIGKILL)
        self.popen.wait()

    def restart(self) -> None:
        self.restarts += 1
        self.start()

    def stop(self) -> None:
        if self.popen is None or self.popen.poll() is not None:
            return
        os.killpg(self.popen.pid, signal.SIGTERM)
        try:
            self.popen.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.popen.pid, signal.SIGKILL)
            self.popen.wait()


def paperfeed(*args: str) -> list[str]:
    return [sys.executable, "-m", "paperfeed.cli", *args]


def children_of(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def wait_http(url: str, timeout: float, proc: Proc) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.popen.poll() is not None:
            raise RuntimeError(f"{proc.name} exited ({proc.popen.returncode}); see {proc.log}")
        try:
            if requests.get(url, timeout=5).status_code < 500:
                return
        except requests.RequestException:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"{url} did not answer within {timeout:.0f}s")


# --------------------------------------------------------------------------- the database side


def django_setup(env: dict[str, str], data_dir: Path) -> None:
    os.environ.update(env)
    os.environ["PAPERFEED_DATA_DIR"] = str(data_dir)
    os.environ["DJANGO_SETTINGS_MODULE"] = "paperfeed.settings"
    import django

    django.setup()


def seed(members: int) -> tuple[list[tuple[int, str]], list[str]]:
    """Members with an API token and a "soak" collection, and confirmed daily digest subscribers."""
    from django.contrib.auth import get_user_model

    from paperfeed.accounts import collections
    from paperfeed.accounts.models import ApiToken
    from paperfeed.digests.models import Subscription
    from paperfeed.papers.models import Paper

    tokens = []
    for i in range(members):
        user = get_user_model().objects.create_user(f"soak{i}", f"soak{i}@soak.example", "soak-password-123")
        collections.create(user, "soak")
        tokens.append((user.pk, ApiToken.issue(user, "soak")[1]))
    Subscription.objects.bulk_create(
        Subscription(email=f"digest{i}@soak.example", status=Subscription.Status.ACTIVE, frequency="daily")
        for i in range(DIGEST_SUBSCRIBERS))
    return tokens, list(Paper.objects.visible().values_list("arxiv_id", flat=True))


def enqueue(job: str) -> None:
    from django.db import connections

    from paperfeed.jobs.runner import enqueue as queue_job

    queue_job(job)
    connections.close_all()


def digest_progress() -> Counter:
    from django.db import connections

    from paperfeed.digests.models import DigestSend

    counts = Counter(DigestSend.objects.values_list("status", flat=True))
    connections.close_all()
    return counts


# --------------------------------------------------------------------------- load


@dataclass
class Result:
    kind: str
    node: str
    status: int | None  # None: the connection was cut (or refused) before an answer
    ms: float
    detail: str = ""  # for a 5xx: what was asked and the start of the answer


@dataclass
class Acks:
    """Every write a client got a 2xx for, to be found in the database afterwards."""

    votes: set = field(default_factory=set)  # (user_pk, arxiv_id)
    saves: set = field(default_factory=set)  # (user_pk, arxiv_id) in the member's "soak" collection
    listed: set = field(default_factory=set)  # (user_pk, arxiv_id) answered 201: listed today
    queued: set = field(default_factory=set)  # (user_pk, arxiv_id) answered 202: pending fetch
    subscribed: set = field(default_factory=set)  # email
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, what: str, item) -> None:
        with self.lock:
            getattr(self, what).add(item)


class Load:
    """``clients`` threads sending weighted requests to both nodes until ``stop`` is set."""

    def __init__(self, nodes: dict[str, str], tokens: list[tuple[int, str]], papers: list[str]) -> None:
        self.nodes, self.tokens, self.papers = nodes, tokens, papers
        self.results: list[Result] = []
        self.acks = Acks()
        self.stop = threading.Event()
        self.counter = 0
        self.lock = threading.Lock()

    def run(self, clients: int) -> list[threading.Thread]:
        threads = [threading.Thread(target=self._client, args=(i,), daemon=True) for i in range(clients)]
        for thread in threads:
            thread.start()
        return threads

    def _client(self, number: int) -> None:
        rng = random.Random(number)
        sessions = {name: requests.Session() for name in self.nodes}
        kinds, weights = list(WEIGHTS), list(WEIGHTS.values())
        while not self.stop.is_set():
            kind = rng.choices(kinds, weights)[0]
            node = rng.choice(list(self.nodes))
            started = time.perf_counter()
            try:
                answer = getattr(self, f"_{kind}")(sessions[node], self.nodes[node], rng)
                status = answer.status_code
            except requests.RequestException:
                answer, status = None, None
                sessions[node] = requests.Session()
            detail = ""
            if status is not None and status >= 500:
                detail = f"{answer.request.method} {answer.request.path_url} -> {status}: {answer.text[:300]}"
            result = Result(kind, node, status, (time.perf_counter() - started) * 1000, detail)
            with self.lock:
                self.results.append(result)

    def _unique(self) -> int:
        with self.lock:
            self.counter += 1
            return self.counter

    def _read(self, http: requests.Session, base: str, rng: random.Random) -> requests.Response:
        path = rng.choice(["/", "/api/daily_papers", f"/papers/{rng.choice(self.papers)}/", "/trending/"])
        return http.get(base + path, timeout=30)

    def _static(self, http: requests.Session, base: str, rng: random.Random) -> requests.Response:
        return http.get(base + STATIC, timeout=30)

    def _search(self, http: requests.Session, base: str, rng: random.Random) -> requests.Response:
        return http.get(f"{base}/search/", params={"q": rng.choice(WORDS)}, timeout=30)

    def _auth(self, rng: random.Random) -> tuple[int, dict]:
        user, token = rng.choice(self.tokens)
        return user, {"Authorization": f"Bearer {token}"}

    def _vote(self, http: requests.Session, base: str, rng: random.Random) -> requests.Response:
        user, headers = self._auth(rng)
        arxiv_id = rng.choice(self.papers)
        answer = http.post(f"{base}/api/papers/{arxiv_id}/upvote", headers=headers, timeout=30)
        if 200 <= answer.status_code < 300:
            self.acks.add("votes", (user, arxiv_id))
        return answer

    def _save(self, http: requests.Session, base: str, rng: random.Random) -> requests.Response:
        user, headers = self._auth(rng)
        arxiv_id = rng.choice(self.papers)
        answer = http.post(f"{base}/api/collections/soak/papers", json={"id": arxiv_id}, headers=headers,
                           timeout=30)
        if 200 <= answer.status_code < 300:
            self.acks.add("saves", (user, arxiv_id))
        return answer

    def _submit(self, http: requests.Session, base: str, rng: random.Random) -> requests.Response:
        user, headers = self._auth(rng)
        # Known papers list at once (201, or 409 once listed); new ids queue a fetch (202).
        arxiv_id = rng.choice([rng.choice(self.papers), NEW_ID, f"2611.{90000 + self._unique():05d}"])
        answer = http.post(f"{base}/api/daily_papers/submit", json={"id": arxiv_id}, headers=headers, timeout=30)
        if answer.status_code == 201:
            self.acks.add("listed", (user, arxiv_id))
        elif answer.status_code == 202:
            self.acks.add("queued", (user, arxiv_id))
        return answer

    def _subscribe(self, http: requests.Session, base: str, rng: random.Random) -> requests.Response:
        page = http.get(f"{base}/subscribe/", timeout=30)
        match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        if page.status_code != 200 or not match:
            return page
        email = f"reader{self._unique()}-{secrets.token_hex(3)}@soak.example"
        answer = http.post(f"{base}/subscribe/", data={"csrfmiddlewaretoken": match.group(1), "email": email,
                                                       "frequency": "daily"},
                           headers={"Referer": f"{base}/subscribe/"}, timeout=30)
        if 200 <= answer.status_code < 300:
            self.acks.add("subscribed", email)
        return answer


# --------------------------------------------------------------------------- faults


class Faults:
    """The three kills, each at a moment its work is in flight, and the restarts after them."""

    def __init__(self, worker: Proc, node_b: Proc, oai: OaiPages, smtp: SlowSmtp) -> None:
        self.worker, self.node_b, self.oai, self.smtp = worker, node_b, oai, smtp
        self.events: list[str] = []
        self.started = time.monotonic()
        self.digest_queued = False

    def note(self, text: str) -> None:
        self.events.append(f"{time.monotonic() - self.started:5.1f}s  {text}")
        print(f"  {self.events[-1]}", file=sys.stderr, flush=True)

    def run(self, seconds: float) -> None:
        enqueue("harvest")  # at once: a busy machine takes a while to start the worker's cluster
        self.note("harvest queued")
        self._kill_app_process(at=seconds * 0.1)
        self._kill_worker_mid_harvest(deadline=seconds * 0.5)
        self._kill_worker_mid_digest(ready_by=seconds * 0.65, deadline=seconds * 0.85)

    def _elapsed(self) -> float:
        return time.monotonic() - self.started

    def _kill_app_process(self, at: float) -> None:
        time.sleep(max(0.0, at - self._elapsed()))
        victims = children_of(self.node_b.popen.pid)
        if not victims:
            self.note("node B has no gunicorn worker to kill")
            return
        os.kill(victims[0], signal.SIGKILL)
        self.note(f"kill -9 node B web process {victims[0]} (its gunicorn master starts another)")

    def _restart_worker(self, queue_after: float = 0.0) -> None:
        """Restart at once (systemd's RestartSec=1); queue what was cut short, as its next run would."""
        time.sleep(1.0)
        self.worker.restart()
        self.note("worker restarted")
        time.sleep(queue_after)
        for job in unfinished_jobs(self.digest_queued):
            enqueue(job)
            self.note(f"{job} queued again")

    def _kill_worker_mid_harvest(self, deadline: float) -> None:
        while len(set(self.oai.served)) < 2 and self._elapsed() < deadline:
            time.sleep(0.1)
        pages = sorted(set(self.oai.served))
        self.worker.kill9()
        self.note(f"kill -9 worker mid-harvest (OAI pages served: {pages} of {self.oai.page_count})")
        self._restart_worker()

    def _kill_worker_mid_digest(self, ready_by: float, deadline: float) -> None:
        while "harvest" in unfinished_jobs(False) and self._elapsed() < ready_by:
            time.sleep(0.5)
        enqueue("digest_daily")
        self.digest_queued = True
        self.note("digest_daily queued")
        while self.digests_received() < 5 and self._elapsed() < deadline:
            time.sleep(0.05)
        received, ledger = self.digests_received(), digest_progress()
        self.worker.kill9()
        self.note(f"kill -9 worker mid-digest ({received} of {DIGEST_SUBSCRIBERS} digest emails received; "
                  f"ledger {dict(ledger)})")
        # The digest being sent at the kill stays 'sending' until PAPERFEED_DIGEST_STALE_SENDING has passed.
        self._restart_worker(queue_after=STALE_SENDING + 1)

    def digests_received(self) -> int:
        with self.smtp.lock:
            return sum(1 for m in self.smtp.messages if str(m["To"]).startswith("digest"))


def unfinished_jobs(digest_queued: bool) -> list[str]:
    """The jobs a kill may have cut short: no harvest finished yet; digests planned but not all sent."""
    from django.db import connections

    from paperfeed.digests.models import DigestSend
    from paperfeed.jobs.models import JobRun

    jobs = []
    if not JobRun.objects.filter(name="harvest", status=JobRun.Status.DONE).exists():
        jobs.append("harvest")
    planned = DigestSend.objects.all()
    if digest_queued and (not planned.exists() or planned.filter(status__in=["pending", "sending"]).exists()):
        jobs.append("digest_daily")
    connections.close_all()
    return jobs


# --------------------------------------------------------------------------- checks


def wait_for_quiet(timeout: float) -> list[str]:
    """Wait until the worker has finished what it was asked; returns what never finished."""
    from django.db import connections

    from paperfeed.accounts.models import PaperFetch
    from paperfeed.digests.models import DigestSend
    from paperfeed.jobs.models import JobRun

    deadline = time.monotonic() + timeout
    while True:
        left = []
        if PaperFetch.objects.filter(state=PaperFetch.State.PENDING).exists():
            left.append("pending arXiv fetches")
        if DigestSend.objects.exclude(status__in=["sent", "skipped", "failed"]).exists():
            left.append("digests not sent")
        if not JobRun.objects.filter(name="harvest", status="done").exists():
            left.append("no finished harvest")
        connections.close_all()
        if not left or time.monotonic() > deadline:
            return left
        time.sleep(1.0)


def check_writes(acks: Acks) -> dict:
    """Each acknowledged write, looked up in the database; ``lost`` counts what is missing."""
    from paperfeed.accounts.models import CollectionItem, FetchIntent, Upvote
    from paperfeed.digests.models import Subscription
    from paperfeed.papers.models import DailyEntry

    votes = set(Upvote.objects.values_list("user_id", "paper__arxiv_id"))
    saves = set(CollectionItem.objects.filter(collection__name="soak")
                .values_list("collection__user_id", "paper__arxiv_id"))
    listed = set(DailyEntry.objects.values_list("paper__arxiv_id", flat=True))
    intents = {(u, a): (done, outcome) for u, a, done, outcome in FetchIntent.objects.filter(
        action=FetchIntent.Action.SUBMIT).values_list("user_id", "fetch__arxiv_id", "done_at", "outcome")}
    emails = set(Subscription.objects.values_list("email", flat=True))
    lost = {
        "votes": len(acks.votes - votes),
        "saves": len(acks.saves - saves),
        "submissions (201)": sum(1 for _, arxiv_id in acks.listed if arxiv_id not in listed),
        "submissions (202)": sum(1 for key in acks.queued if key not in intents),
        "subscriptions": len(acks.subscribed - emails),
    }
    unfinished = sum(1 for key in acks.queued if key in intents and intents[key][0] is None)
    outcomes = Counter(intents[key][1] for key in acks.queued if key in intents and intents[key][0] is not None)
    acked = {"votes": len(acks.votes), "saves": len(acks.saves), "submissions (201)": len(acks.listed),
             "submissions (202)": len(acks.queued), "subscriptions": len(acks.subscribed)}
    return {"acknowledged": acked, "lost": lost, "writes_lost": sum(lost.values()),
            "queued_fetches_unfinished": unfinished, "queued_fetch_outcomes": dict(outcomes)}


def check_duplicates() -> dict:
    """Rows that must be unique, counted by GROUP BY (the constraints should make every count 0)."""
    from django.db.models import Count

    from paperfeed.accounts.models import CollectionItem, Upvote
    from paperfeed.digests.models import DigestSend
    from paperfeed.papers.models import DailyEntry, Paper

    def twins(qs, *fields) -> int:
        return qs.values(*fields).annotate(n=Count("pk")).filter(n__gt=1).count()

    return {
        "papers (arxiv_id)": twins(Paper.objects, "arxiv_id"),
        "listings (paper, day)": twins(DailyEntry.objects, "paper", "day"),
        "votes (member, paper)": twins(Upvote.objects, "user", "paper"),
        "saves (collection, paper)": twins(CollectionItem.objects, "collection", "paper"),
        "digest ledger (subscriber, period)": twins(DigestSend.objects, "subscription", "period_key"),
    }


def check_emails(smtp: SlowSmtp) -> dict:
    """Each digest the ledger marks sent arrived once; nothing arrived that the ledger does not know."""
    from paperfeed.digests.models import DigestSend

    with smtp.lock:
        digests = [m for m in smtp.messages if str(m["To"]).startswith("digest")]
    received = Counter((str(m["To"]), str(m["Subject"])) for m in digests)
    sent = Counter(DigestSend.objects.filter(status="sent").values_list("subscription__email", flat=True))
    per_recipient = Counter(str(m["To"]) for m in digests)
    return {
        "digest emails received": len(digests),
        "ledger rows sent": sum(sent.values()),
        "duplicate emails": sum(n - 1 for n in received.values() if n > 1),
        "sent but not received": sum(1 for email in sent if per_recipient[email] == 0),
        "ledger status": dict(Counter(DigestSend.objects.values_list("status", flat=True))),
    }


def check_indexes(env: dict[str, str], node_dirs: dict[str, Path], timeout: float) -> dict:
    """Both followers catch up with the database (harvested papers included): ``index --verify`` per node."""
    deadline = time.monotonic() + timeout
    while True:
        verdicts = {name: verify_node(env, directory) for name, directory in node_dirs.items()}
        if all(v == "in step with the database" for v in verdicts.values()) or time.monotonic() > deadline:
            return {f"node {name} index": verdict for name, verdict in verdicts.items()}
        time.sleep(2.0)


def verify_node(env: dict[str, str], data_dir: Path) -> str:
    done = subprocess.run(paperfeed("index", "--verify", "--json", "--data-dir", str(data_dir)), cwd=ROOT, env=env,
                          capture_output=True, text=True)
    if done.returncode == 0:
        return "in step with the database"
    try:
        problems = json.loads(done.stdout.strip().splitlines()[-1]).get("problems", [])
    except (ValueError, IndexError, AttributeError):
        problems = [done.stderr.strip()[-300:]]
    return "drift: " + "; ".join(map(str, problems))


def check_harvest(oai: OaiPages) -> dict:
    from paperfeed.papers.models import Paper

    return {"OAI records in the database": f"{Paper.objects.filter(arxiv_id__in=oai.ids()).count()}/{len(oai.ids())}",
            "OAI page requests": len(oai.served), "distinct pages": len(set(oai.served))}


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def load_table(results: list[Result], seconds: float) -> list[dict]:
    rows = []
    by_kind = defaultdict(list)
    for result in results:
        by_kind[result.kind].append(result)
    for kind in [*WEIGHTS, "all"]:
        batch = results if kind == "all" else by_kind[kind]
        ms = [r.ms for r in batch if r.status is not None]
        rows.append({
            "kind": kind, "requests": len(batch), "req_s": round(len(batch) / seconds, 1),
            "p50_ms": round(statistics.median(ms), 1) if ms else 0.0, "p95_ms": round(percentile(ms, 0.95), 1),
            "2xx": sum(1 for r in batch if r.status is not None and 200 <= r.status < 300),
            "4xx": sum(1 for r in batch if r.status is not None and 400 <= r.status < 500),
            "5xx": sum(1 for r in batch if r.status is not None and r.status >= 500),
            "cut": sum(1 for r in batch if r.status is None),
        })
    return rows


def child_env(pg_url: str, oai_url: str, api_url: str, smtp_port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PAPERFEED_", "DJANGO_"))}
    env.update({
        "PAPERFEED_DATABASE_URL": pg_url,
        "PAPERFEED_SECRET_KEY": secrets.token_urlsafe(40),  # one key for every node, as in production
        "PAPERFEED_RATELIMIT": "0",
        "PAPERFEED_SUBMISSIONS_PER_DAY": "1000000",
        "PAPERFEED_ARXIV_OAI_URL": oai_url,
        "PAPERFEED_ARXIV_API_URL": api_url,
        "PAPERFEED_ARXIV_API_DELAY": "0",
        "PAPERFEED_HARVEST_SETS": "cs",
        "PAPERFEED_EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
        "PAPERFEED_DIGEST_STALE_SENDING": str(STALE_SENDING),
        "PAPERFEED_FOLLOW_INTERVAL": "1",
        "PAPERFEED_LOG_LEVEL": "WARNING",
        "HF_HUB_OFFLINE": "1",
        "PYTHONPATH": str(ROOT),
    })
    return env


def start_topology(work: Path, env: dict[str, str], web_workers: int, procs: dict[str, Proc]) -> dict[str, str]:
    """Node A prepared with the sample; node B bare. Each: serve + follow-index. One worker, on A.

    ``procs`` is the caller's, filled before anything starts, so whatever fails the caller stops them all:
    a worker left running would take the next run's tasks (and fail to unsign them: another secret key).
    """
    nodes = {}
    for name in ("A", "B"):
        data = work / f"node-{name.lower()}"
        data.mkdir(exist_ok=True)
        node_env = {**env, "PAPERFEED_DATA_DIR": str(data)}
        port = free_port()
        procs[f"web {name}"] = Proc(f"web {name}", paperfeed("serve", "--no-migrate", "--host", "127.0.0.1",
                                                             "--port", str(port), "--workers", str(web_workers)),
                                    node_env, work / f"web-{name}.log")
        procs[f"follower {name}"] = Proc(f"follower {name}", paperfeed("follow-index"), node_env,
                                         work / f"follower-{name}.log")
        nodes[name] = f"http://127.0.0.1:{port}"
    procs["worker"] = Proc("worker", paperfeed("worker", "--tick", "1"), {**env, "PAPERFEED_DATA_DIR":
                                                                         str(work / "node-a")},
                           work / "worker.log")
    for proc in procs.values():
        proc.start()
    for name, base in nodes.items():
        wait_http(base + "/api/daily_papers", 180, procs[f"web {name}"])
    return nodes


def run_load(load: Load, faults: Faults, seconds: float, clients: int) -> float:
    """``seconds`` of load with the faults injected meanwhile; returns the measured duration."""
    started = time.monotonic()
    threads = load.run(clients)
    fault_thread = threading.Thread(target=faults.run, args=(seconds,), daemon=True)
    fault_thread.start()
    time.sleep(seconds)
    load.stop.set()
    for thread in threads:
        thread.join(timeout=60)
    elapsed = time.monotonic() - started
    fault_thread.join(timeout=120)
    return elapsed


def print_report(report: dict) -> None:
    rows = report["load"]
    print(f"\nsoak: {report['seconds']:.0f} s, {report['clients']} clients, 2 nodes x {report['web_workers']} "
          f"web processes + follower, 1 worker, PostgreSQL {report['postgres']}")
    print("\n| kind | requests | req/s | p50 ms | p95 ms | 2xx | 4xx | 5xx | cut by a kill |")
    print("|---|---|---|---|---|---|---|---|---|")
    for row in rows:
        print(f"| {row['kind']} | {row['requests']} | {row['req_s']} | {row['p50_ms']} | {row['p95_ms']} | "
              f"{row['2xx']} | {row['4xx']} | {row['5xx']} | {row['cut']} |")
    print("\nfaults:")
    for event in report["faults"]:
        print(f"  {event}")
    for section in ("writes", "duplicates", "emails", "harvest", "indexes"):
        print(f"\n{section}:")
        for key, value in report[section].items():
            print(f"  {key}: {value}")
    print(f"\n5xx answers: {len(report['server_errors'])}")
    for error in report["server_errors"]:
        print(f"  {error}")
    print(f"\nunfinished after the drain: {report['unfinished'] or 'nothing'}")
    print(f"processes not running at the end: {report['exited'] or 'none'}")
    print(f"verdict: {'PASS' if report['ok'] else 'FAIL'}")


def exited(procs: dict[str, Proc]) -> list[str]:
    """Processes that are not running at the end (a restarted worker that refused to start, say)."""
    found = []
    for name, proc in procs.items():
        if proc.popen is not None and proc.popen.poll() is not None:
            lines = proc.log.read_text(errors="replace").strip().splitlines()
            found.append(f"{name} exited ({proc.popen.returncode}): {lines[-1] if lines else ''}")
    return found


def verdict(report: dict) -> bool:
    all_row = report["load"][-1]
    return (report["writes"]["writes_lost"] == 0 and report["writes"]["queued_fetches_unfinished"] == 0
            and not any(report["duplicates"].values()) and report["emails"]["duplicate emails"] == 0
            and report["emails"]["sent but not received"] == 0 and all_row["5xx"] == 0
            and not report["unfinished"] and not report["exited"]
            and all(v == "in step with the database" for v in report["indexes"].values()))


def soak(args: argparse.Namespace, work: Path) -> dict:
    url = start_postgres(work / "pg", args.pg_port)
    oai = OaiPages(FORMATS, pages=args.oai_pages, per_page=4, delay=args.oai_delay)
    smtp = SlowSmtp(args.smtp_delay).start()
    procs: dict[str, Proc] = {}
    try:
        with LocalServer(oai) as oai_server, LocalServer(FakeArxiv(FORMATS)) as api_server:
            for server in (oai_server, api_server):  # a killed client's broken pipe is expected: no traceback
                server.server.handle_error = lambda request, address: None
            env = child_env(url, oai_server.url, api_server.url, smtp.port)
            print("  preparing node A (migrate, bundled sample, index) ...", file=sys.stderr, flush=True)
            subprocess.run(paperfeed("demo", "--no-serve", "--data-dir", str(work / "node-a")), cwd=ROOT,
                           env=env, check=True, capture_output=True)
            django_setup(env, work / "control")
            tokens, papers = seed(args.members)
            # Migrate once more right before the nodes start (`serve --no-migrate`, as in production).
            subprocess.run(paperfeed("manage", "migrate", "-v0"), cwd=ROOT, env=env, check=True)
            nodes = start_topology(work, env, args.web_workers, procs)
            load = Load(nodes, tokens, papers)
            faults = Faults(procs["worker"], procs["web B"], oai, smtp)
            print(f"  load for {args.seconds:.0f}s on {', '.join(nodes.values())}", file=sys.stderr, flush=True)
            elapsed = run_load(load, faults, args.seconds, args.clients)
            unfinished = wait_for_quiet(args.drain)
            report = {
                "seconds": elapsed, "clients": args.clients, "web_workers": args.web_workers, "postgres": url,
                "load": load_table(load.results, elapsed), "faults": faults.events,
                "writes": check_writes(load.acks), "duplicates": check_duplicates(),
                "emails": check_emails(smtp),
                "harvest": check_harvest(oai),
                "indexes": check_indexes(env, {k: work / f"node-{k.lower()}" for k in nodes}, args.drain),
                "unfinished": unfinished, "restarts": {n: p.restarts for n, p in procs.items() if p.restarts},
                "server_errors": [f"node {r.node}: {r.detail}" for r in load.results if r.detail],
                "exited": exited(procs),
            }
            report["ok"] = verdict(report)
            return report
    finally:
        for proc in procs.values():
            proc.stop()
        smtp.stop()
        from django.db import connections

        connections.close_all()
        stop_postgres(work / "pg")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("--seconds", type=float, default=60, help="length of the load")
    parser.add_argument("--clients", type=int, default=8, help="client threads")
    parser.add_argument("--web-workers", type=int, default=2, help="gunicorn processes per node")
    parser.add_argument("--members", type=int, default=30, help="members with API tokens")
    parser.add_argument("--pg-port", type=int, default=54339, help="port of the throwaway PostgreSQL")
    parser.add_argument("--oai-pages", type=int, default=8, help="ListRecords pages of 4 records")
    parser.add_argument("--oai-delay", type=float, default=1.0, help="seconds per OAI page")
    parser.add_argument("--smtp-delay", type=float, default=0.1, help="seconds per recipient")
    parser.add_argument("--drain", type=float, default=120, help="seconds to wait for the queues afterwards")
    parser.add_argument("--keep", action="store_true", help="keep the work dir (logs, data dirs)")
    parser.add_argument("--json", action="store_true", help="print the report as one JSON object")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="paperfeed-soak-"))
    try:
        report = soak(args, work)
    finally:
        if args.keep:
            print(f"  work dir kept: {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)
    if args.json:
        print(json.dumps(report, default=str))
    else:
        print_report(report)
    return 0 if report["ok"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
