from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest

from tests.support.servers import SmtpSink

ROOT = Path(__file__).resolve().parents[2]


class Processes:
    """Runs paperfeed processes that share one database (and one SMTP server) with the test."""

    def __init__(self, env: dict[str, str]):
        self.env = env
        self.started: list[subprocess.Popen] = []

    def run(self, *args: str, timeout: float = 120) -> str:
        done = subprocess.run([sys.executable, *args], cwd=ROOT, env=self.env, capture_output=True,
                              text=True, timeout=timeout)
        assert done.returncode == 0, f"{args} failed:\n{done.stdout}\n{done.stderr}"
        return done.stdout

    def harness(self, *args: str) -> dict:
        out = self.run("-m", "tests.jobs.harness", *args)
        return json.loads(out.strip().splitlines()[-1]) if out.strip() else {}

    def start(self, *args: str, log: Path) -> subprocess.Popen:
        fh = open(log, "w")  # noqa: SIM115 - closed with the process
        proc = subprocess.Popen([sys.executable, *args], cwd=ROOT, env=self.env, stdout=fh, stderr=subprocess.STDOUT)
        self.started.append(proc)
        return proc

    def stop_all(self) -> None:
        for proc in self.started:
            if proc.poll() is None:
                proc.terminate()
        for proc in self.started:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


@pytest.fixture
def no_sleep(monkeypatch) -> list[float]:
    """The HTTP client's polite waits between tries, recorded instead of slept through."""
    import paperfeed.ingest.http as http

    waits: list[float] = []
    monkeypatch.setattr(http.time, "sleep", waits.append)
    return waits


def _database_url(settings_dict: dict) -> str:
    user = quote(settings_dict.get("USER") or "")
    password = quote(settings_dict.get("PASSWORD") or "")
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = settings_dict.get("HOST") or "localhost"
    port = settings_dict.get("PORT") or "5432"
    return f"postgres://{auth}{host}:{port}/{settings_dict['NAME']}"


@pytest.fixture
def processes(transactional_db, tmp_path):
    """Separate processes on the test's database: the PostgreSQL test database itself, or on
    SQLite (whose test database lives in memory) a fresh file database migrated for them."""
    from django.db import connection

    sink = SmtpSink().start()
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update({
        "PAPERFEED_DATA_DIR": str(tmp_path / "data"),
        "PAPERFEED_EMAIL_URL": f"smtp://127.0.0.1:{sink.port}",
        "PAPERFEED_SITE_URL": "http://hub.example.org",
        "PAPERFEED_LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
    })
    procs = Processes(env)
    if connection.vendor == "postgresql":
        env["PAPERFEED_DATABASE_URL"] = _database_url(connection.settings_dict)
    else:
        env.pop("PAPERFEED_DATABASE_URL", None)
        procs.run("-m", "paperfeed.cli", "manage", "migrate", "-v0")
    procs.smtp = sink
    yield procs
    procs.stop_all()
    sink.stop()
