"""Killed rebuilds keep the vector cache: real ``paperfeed index`` processes, SIGKILLed while they embed.

The processes share the test's database (PostgreSQL: the test database itself; SQLite: a file
database migrated for them). Embedding the 240-paper subset with the real model is the slow phase;
the test watches the state's vector cache grow (a committed batch is a row count it can read) and
kills the process right after a batch lands, twice, then lets a third run finish.
"""

from __future__ import annotations

import gzip
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest

from paperfeed.search import reader
from paperfeed.search.sync import EMBED_BATCH, text_hash

ROOT = Path(__file__).resolve().parents[2]
SUBSET = Path(__file__).parent / "data" / "arxiv_subset.jsonl.gz"


def _database_url(settings_dict: dict) -> str:
    user = quote(settings_dict.get("USER") or "")
    password = quote(settings_dict.get("PASSWORD") or "")
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    return (f"postgres://{auth}{settings_dict.get('HOST') or 'localhost'}:{settings_dict.get('PORT') or '5432'}/"
            f"{settings_dict['NAME']}")


@pytest.fixture
def env(transactional_db, tmp_path) -> dict[str, str]:
    """The environment of paperfeed processes on the test's database, with the subset stored."""
    from django.db import connection

    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(PAPERFEED_DATA_DIR=str(tmp_path / "data"), PAPERFEED_LOG_LEVEL="WARNING", PYTHONPATH=str(ROOT))
    env.pop("PAPERFEED_INDEX_DIR", None)
    if connection.vendor == "postgresql":
        env["PAPERFEED_DATABASE_URL"] = _database_url(connection.settings_dict)
    else:
        env.pop("PAPERFEED_DATABASE_URL", None)
        _run(env, "-m", "paperfeed.cli", "manage", "migrate", "-v0")
    _run(env, "-m", "tests.search.index_harness", "load", "240")
    return env


def _run(env: dict[str, str], *args: str) -> str:
    done = subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, f"{args} failed:\n{done.stdout}\n{done.stderr[-3000:]}"
    return done.stdout


def cached_vectors(state: Path) -> int:
    """Rows in the state's vector cache, read as another process would (0 before the table exists)."""
    if not state.exists():
        return 0
    db = sqlite3.connect(f"file:{state}?mode=ro", uri=True, timeout=30)
    try:
        return db.execute("SELECT count(*) FROM vectors").fetchone()[0]
    except sqlite3.OperationalError:  # created but its tables not yet
        return 0
    finally:
        db.close()


def kill_after_a_batch(env: dict[str, str], state: Path, *args: str) -> int:
    """Start ``paperfeed index ARGS``, SIGKILL it once a new embedded batch is committed; the cache then."""
    before = cached_vectors(state)
    proc = subprocess.Popen([sys.executable, "-m", "paperfeed.cli", "index", "--no-progress", *args], cwd=ROOT,
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 300
        while cached_vectors(state) < before + EMBED_BATCH:
            assert proc.poll() is None, f"index ended before it was killed:\n{proc.stdout.read().decode()}"
            assert time.monotonic() < deadline, "no embedded batch was committed"
            time.sleep(0.01)
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.kill()
        proc.wait()
    assert proc.returncode == -signal.SIGKILL
    return cached_vectors(state)


def test_two_killed_rebuilds_then_a_full_run_embed_each_text_once(env, settings):
    with gzip.open(SUBSET, "rt", encoding="utf-8") as f:
        texts = {text_hash(p["title"], p["abstract"]) for p in map(json.loads, f)}
    index = Path(env["PAPERFEED_DATA_DIR"]) / "index"
    state = index / "state.sqlite3"

    first = kill_after_a_batch(env, state, "--rebuild")
    assert not (index / "CURRENT.json").exists()  # killed before anything was published
    second = kill_after_a_batch(env, state, "--rebuild")
    assert EMBED_BATCH <= first < second < len(texts)  # the second kill lost nothing the first kept

    report = json.loads(_run(env, "-m", "paperfeed.cli", "index", "--no-progress", "--json").strip().splitlines()[-1])
    assert report["published"] and report["indexed"] == 240
    assert report["embedded"] == len(texts) - second  # only what no killed run had finished
    assert report["vectors_reused"] + report["shipped_vectors_used"] + report["embedded"] == 240
    assert cached_vectors(state) == len(texts)

    settings.INDEX_DIR = index
    reader.forget()
    try:
        snapshot = reader.current()
        assert snapshot.lexical.num_docs == 240 and len(snapshot.vectors) == 240
        assert reader.status().ok
    finally:
        reader.forget()
    assert sorted(p.name for p in index.iterdir() if p.name.startswith("gen-")) == [snapshot.path.name]
