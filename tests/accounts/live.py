"""A real hub for concurrency tests: gunicorn (several processes, threads each) and, when asked, a real
``paperfeed worker``, all on one database shared with the test.

The database is the PostgreSQL test database itself, or on SQLite (whose test database lives in
memory, one connection per process) a file database migrated for the processes. The test prepares
and inspects it through ``tests.accounts.harness`` subprocesses, so both databases take one path.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import quote

import requests

from tests.support.servers import free_port

ROOT = Path(__file__).resolve().parents[2]


def database_url(settings_dict: dict) -> str:
    user = quote(settings_dict.get("USER") or "")
    password = quote(settings_dict.get("PASSWORD") or "")
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = settings_dict.get("HOST") or "localhost"
    port = settings_dict.get("PORT") or "5432"
    return f"postgres://{auth}{host}:{port}/{settings_dict['NAME']}"


class LiveHub:
    """``start()`` gunicorn; ``harness(...)`` and ``worker()`` share its database and settings."""

    def __init__(self, tmp_path: Path, connection, **knobs: str):
        self.dir = tmp_path
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(("PAPERFEED_", "DJANGO_"))}
        self.env.update({"DJANGO_SETTINGS_MODULE": "paperfeed.settings", "PYTHONPATH": str(ROOT),
                         "PAPERFEED_DATA_DIR": str(tmp_path / "data"), "PAPERFEED_LOG_LEVEL": "WARNING",
                         "HF_HUB_OFFLINE": "1", **{f"PAPERFEED_{k}": v for k, v in knobs.items()}})
        if connection.vendor == "postgresql":
            self.env["PAPERFEED_DATABASE_URL"] = database_url(connection.settings_dict)
        else:
            self.run("-m", "paperfeed.cli", "manage", "migrate", "-v0")
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.procs: list[subprocess.Popen] = []

    def run(self, *args: str) -> str:
        done = subprocess.run([sys.executable, *args], cwd=ROOT, env=self.env, capture_output=True, text=True,
                              timeout=300)
        assert done.returncode == 0, f"{args} failed:\n{done.stdout}\n{done.stderr}"
        return done.stdout

    def harness(self, *args: str) -> dict:
        return json.loads(self.run("-m", "tests.accounts.harness", *args).strip().splitlines()[-1])

    def _spawn(self, name: str, *args: str) -> subprocess.Popen:
        with (self.dir / f"{name}.log").open("w") as log:
            proc = subprocess.Popen([sys.executable, *args], cwd=ROOT, env=self.env, stdout=log,
                                    stderr=subprocess.STDOUT, start_new_session=True)
        self.procs.append(proc)
        return proc

    def log(self, name: str) -> str:
        return (self.dir / f"{name}.log").read_text()

    def start(self, workers: int = 3, threads: int = 8) -> LiveHub:
        """gunicorn with threaded workers, as ``paperfeed serve`` runs; each worker answered once."""
        server = self._spawn("gunicorn", "-m", "gunicorn", "paperfeed.wsgi:application", "--bind",
                             f"127.0.0.1:{self.port}", "--workers", str(workers), "--worker-class", "gthread",
                             "--threads", str(threads), "--timeout", "120", "--log-level", "warning")
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            assert server.poll() is None, f"gunicorn exited:\n{self.log('gunicorn')}"
            try:
                if requests.get(self.url + "/", timeout=30).status_code == 200:
                    break
            except requests.RequestException:
                time.sleep(0.3)
        else:
            raise AssertionError(f"gunicorn did not answer:\n{self.log('gunicorn')}")
        # Warm every worker and thread (imports, templates, a database connection each) as a running
        # server is, before anything is timed: as many requests at once as there are threads, twice.
        with ThreadPoolExecutor(workers * threads) as pool:
            list(pool.map(lambda _: requests.get(self.url + "/", timeout=120), range(2 * workers * threads)))
        return self

    def worker(self, **knobs: str) -> subprocess.Popen:
        """A real ``paperfeed worker`` (django-q2 cluster) on the same database, with extra knobs."""
        self.env.update({f"PAPERFEED_{k}": v for k, v in knobs.items()})
        return self._spawn("worker", "-m", "paperfeed.cli", "worker", "--tick", "0.5", "--no-schedules")

    def stop(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()

    def session(self, sessionid: str | None = None) -> requests.Session:
        s = requests.Session()
        if sessionid:
            s.cookies.set("sessionid", sessionid)
        return s
