"""The README's promise: `paperfeed demo` prepares a working hub from nothing, idempotently,
and `paperfeed serve` serves it over real HTTP."""

from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request

import pytest

pytestmark = pytest.mark.slow


def _env(data_dir) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PAPERFEED_")}
    env.update({"PAPERFEED_DATA_DIR": str(data_dir), "HF_HUB_OFFLINE": "1", "PAPERFEED_RATELIMIT": "0"})
    return env


def _paperfeed(*args, data_dir, timeout=300) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "paperfeed.cli", *args],
        env=_env(data_dir),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("demo")
    first = _paperfeed("demo", "--no-serve", data_dir=data_dir)
    assert first.returncode == 0, first.stderr[-3000:]
    return data_dir


def _counts(data_dir) -> tuple[int, int]:
    with sqlite3.connect(data_dir / "paperfeed.sqlite3") as db:
        papers = db.execute("select count(*) from papers_paper").fetchone()[0]
        entries = db.execute("select count(*) from papers_dailyentry").fetchone()[0]
    return papers, entries


def test_demo_prepares_sqlite_in_wal_mode_with_the_sample(demo_dir):
    papers, entries = _counts(demo_dir)
    assert papers > 1000
    assert entries > 100
    with sqlite3.connect(demo_dir / "paperfeed.sqlite3") as db:
        assert db.execute("pragma journal_mode").fetchone()[0] == "wal"
    assert (demo_dir / "secret_key").stat().st_mode & 0o077 == 0


def test_demo_is_idempotent(demo_dir):
    before = _counts(demo_dir)
    again = _paperfeed("demo", "--no-serve", data_dir=demo_dir)
    assert again.returncode == 0, again.stderr[-3000:]
    assert _counts(demo_dir) == before


def test_serve_answers_over_http(demo_dir):
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "paperfeed.cli", "serve", "--port", str(port), "--workers", "1"],
        env=_env(demo_dir),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        body = ""
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as response:
                    assert response.status == 200
                    assert "Content-Security-Policy" in response.headers
                    body = response.read().decode()
                    break
            except OSError:
                time.sleep(0.3)
        assert "/papers/" in body, "front page lists no papers"
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def test_cli_help_lists_every_command(tmp_path):
    result = _paperfeed("--help", data_dir=tmp_path, timeout=60)
    assert result.returncode == 0
    for command in ("demo", "serve", "ingest", "add", "index", "worker", "digest", "manage"):
        assert command in result.stdout
