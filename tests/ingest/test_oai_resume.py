"""kill -9 in the middle of a harvest, rerun: the database ends as an uninterrupted harvest leaves it.

The harvest runs as a real ``paperfeed ingest oai`` process against a local server that serves
six pages slowly; the test SIGKILLs it while a later page is in flight.
"""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.support.servers import LocalServer

from .server import OaiPages

ARGS = ["ingest", "oai", "--set", "cs", "--from", "2026-01-01", "--no-progress"]


def _env(data_dir: Path, url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PAPERFEED_DATABASE_URL"}  # SQLite here
    env.update(PAPERFEED_DATA_DIR=str(data_dir), PAPERFEED_ARXIV_OAI_URL=url)
    return env


def _paperfeed(args: list[str], data_dir: Path, url: str, **kwargs) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "paperfeed.cli", *args], env=_env(data_dir, url),
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, **kwargs)


def _dump(data_dir: Path) -> list[tuple]:
    with sqlite3.connect(data_dir / "paperfeed.sqlite3") as db:
        columns = [row[1] for row in db.execute("pragma table_info(papers_paper)")
                   if row[1] not in ("id", "created_at", "updated_at")]
        return db.execute(f"select {', '.join(columns)} from papers_paper order by arxiv_id").fetchall()


def _state(data_dir: Path) -> tuple:
    with sqlite3.connect(data_dir / "paperfeed.sqlite3") as db:
        return db.execute("select status, resumption_token, pages from ingest_harveststate").fetchone()


@pytest.mark.slow
def test_killed_harvest_resumes_to_the_same_database(formats, tmp_path):
    pages = OaiPages(formats, pages=6, per_page=4, delay=0.3)
    with LocalServer(pages) as server:
        url = server.url + "/oai"
        template = tmp_path / "template"
        template.mkdir()
        migrate = _paperfeed(["manage", "migrate", "-v0"], template, url)
        assert migrate.wait(timeout=120) == 0, migrate.stdout.read().decode()[-2000:]
        killed, clean = tmp_path / "killed", tmp_path / "clean"
        shutil.copytree(template, killed)
        shutil.copytree(template, clean)

        proc = _paperfeed(ARGS, killed, url)
        deadline = time.monotonic() + 60
        while len(server.requests) < 4 and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)  # page 4 is being served (slowly): pages 1-3 are done or in flight
        assert proc.poll() is None, proc.stdout.read().decode()[-2000:]
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        status, token, done_pages = _state(killed)
        assert status == "running" and token.startswith("tok-") and 1 <= done_pages < 6
        assert len(_dump(killed)) == 4 * done_pages

        before = len(server.requests)
        rerun = _paperfeed(ARGS, killed, url)
        out = rerun.communicate(timeout=120)[0].decode()
        assert rerun.returncode == 0, out[-2000:]
        assert server.requests[before].get("resumptionToken") == token  # resumed, not restarted
        assert "resumed" in out or "oai: added" in out

        whole = _paperfeed(ARGS, clean, url)
        out = whole.communicate(timeout=120)[0].decode()
        assert whole.returncode == 0, out[-2000:]

    assert _state(killed)[0] == _state(clean)[0] == "done"
    dump = _dump(killed)
    assert len(dump) == 24
    assert dump == _dump(clean)
