"""The index writer's own database (``INDEX_DIR/state.sqlite3``): what is published, and the vector cache.

Two tables with different lifetimes, so that no failure of a sync can cost an embedding:

- ``vectors`` (text hash, embedder fingerprint) -> float16 vector: the *cache*. Each embedded
  batch is committed as soon as it is computed, and nothing but a successful publish removes a
  row (then only vectors no published paper uses). A sync killed at any point, a rebuild, or two
  killed rebuilds in a row keep everything embedded so far; the next run embeds only the rest.
- ``docs`` pk -> hashes, day, categories: what the *published* generation holds. It changes only
  inside the transaction that publishes a generation (:meth:`State.publishing`), committed after
  ``CURRENT.json`` points at it, together with ``meta.generation``; so a sync killed before that
  leaves it describing the old generation, and one killed between the two is noticed by the
  generation number (sync then builds a fresh generation, from cached vectors).

A state file that is not a database any more is renamed aside (``state.sqlite3.damaged``) and
started again: the index is derived data, and the next sync rebuilds it. Format 1 (vectors
inside ``docs``) is migrated into the cache on open.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import numpy as np

STATE_FILE = "state.sqlite3"
_SUFFIXES = ("", "-wal", "-shm")
_IN_CHUNK = 500  # bound on SQL parameters per statement
log = logging.getLogger(__name__)

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS docs (pk INTEGER PRIMARY KEY, arxiv_id TEXT, version INTEGER, doc_hash TEXT, "
    "text_hash TEXT, fingerprint TEXT, day INTEGER, categories TEXT)",
    "CREATE INDEX IF NOT EXISTS docs_vector ON docs (text_hash, fingerprint)",
    "CREATE TABLE IF NOT EXISTS vectors (text_hash TEXT, fingerprint TEXT, vec BLOB, "
    "PRIMARY KEY (text_hash, fingerprint))",
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)",
)


class State:
    """One open state file; the writer holds the sync lock while it is open."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self.db = _connect(path)
        except sqlite3.DatabaseError as error:
            aside = set_aside(path)
            log.error("search index state %s is damaged (%s); moved to %s, starting a new one", path, error, aside)
            self.db = _connect(path)

    def close(self) -> None:
        self.db.close()

    def get_meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    # -- published docs -----------------------------------------------------------------------

    def hashes(self) -> dict[int, tuple[str, str, str]]:
        """pk -> (doc_hash, text_hash, fingerprint) of the published generation."""
        return {pk: (d, t, f) for pk, d, t, f in self.db.execute(
            "SELECT pk, doc_hash, text_hash, fingerprint FROM docs")}

    def count(self) -> int:
        return int(self.db.execute("SELECT count(*) FROM docs").fetchone()[0])

    def without_vectors(self) -> set[int]:
        """Published papers whose vector is not in the cache (a cache file edited by hand, a bug)."""
        return {pk for (pk,) in self.db.execute(
            "SELECT pk FROM docs d WHERE NOT EXISTS (SELECT 1 FROM vectors v "
            "WHERE v.text_hash = d.text_hash AND v.fingerprint = d.fingerprint)")}

    @contextlib.contextmanager
    def publishing(self) -> Iterator[None]:
        """One transaction for the docs of a new generation: committed when the block ends, else rolled back."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    def write_docs(self, rows: list[tuple], removed: list[int], fresh: bool) -> None:
        """Inside :meth:`publishing`: replace (``fresh``) or update the published docs."""
        if fresh:
            self.db.execute("DELETE FROM docs")
        self.db.executemany("INSERT OR REPLACE INTO docs VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)
        self.db.executemany("DELETE FROM docs WHERE pk = ?", [(pk,) for pk in removed])

    def matrix(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[list[str]]]:
        """(pks, float16 vectors, days, categories) of every doc, by pk: what a generation's VectorSet holds."""
        pks, days, cats, vecs = [], [], [], []
        for pk, day, categories, vec in self.db.execute(
                "SELECT d.pk, d.day, d.categories, v.vec FROM docs d JOIN vectors v "
                "ON v.text_hash = d.text_hash AND v.fingerprint = d.fingerprint ORDER BY d.pk"):
            pks.append(pk)
            days.append(day)
            cats.append(categories.split())
            vecs.append(vec)
        if len(pks) != self.count():
            raise RuntimeError("a published paper has no cached vector; sync plans one for every paper")
        dim = len(vecs[0]) // 2 if vecs else 384
        matrix = np.frombuffer(b"".join(vecs), dtype=np.float16).reshape(len(vecs), dim) if vecs else \
            np.zeros((0, dim), dtype=np.float16)
        return np.asarray(pks, dtype=np.int64), matrix, np.asarray(days, dtype=np.int32), cats

    # -- vector cache -------------------------------------------------------------------------

    def cached(self, text_hashes: list[str], fingerprint: str) -> dict[str, bytes]:
        """Cached vectors for these texts under this embedder."""
        out: dict[str, bytes] = {}
        unique = list(dict.fromkeys(text_hashes))
        for start in range(0, len(unique), _IN_CHUNK):
            part = unique[start : start + _IN_CHUNK]
            marks = ",".join("?" * len(part))
            out.update(self.db.execute(f"SELECT text_hash, vec FROM vectors WHERE fingerprint = ? "  # noqa: S608
                                       f"AND text_hash IN ({marks})", [fingerprint, *part]))
        return out

    def cache_vectors(self, rows: list[tuple[str, str, bytes]]) -> None:
        """Store (text_hash, fingerprint, vec) rows now, in their own transaction: a kill keeps them."""
        self.db.execute("BEGIN IMMEDIATE")
        self.db.executemany("INSERT OR REPLACE INTO vectors VALUES (?, ?, ?)", rows)
        self.db.execute("COMMIT")

    def prune_cache(self) -> int:
        """After a publish: drop vectors no published paper uses (old texts, removed papers, old models)."""
        cursor = self.db.execute("DELETE FROM vectors WHERE NOT EXISTS (SELECT 1 FROM docs d "
                                 "WHERE d.text_hash = vectors.text_hash AND d.fingerprint = vectors.fingerprint)")
        return cursor.rowcount


def _connect(path: Path) -> sqlite3.Connection:
    db = sqlite3.connect(path, isolation_level=None)
    try:
        db.execute("PRAGMA journal_mode=WAL")
        columns = {row[1] for row in db.execute("PRAGMA table_info(docs)")}
        if "vec" in columns:
            _migrate_v1(db)
        for statement in _SCHEMA:
            db.execute(statement)
    except sqlite3.DatabaseError:
        db.close()
        raise
    return db


def _migrate_v1(db: sqlite3.Connection) -> None:
    """Format 1 kept each paper's vector in ``docs``: move them into the cache, forget the docs."""
    db.execute("BEGIN IMMEDIATE")
    db.execute("CREATE TABLE IF NOT EXISTS vectors (text_hash TEXT, fingerprint TEXT, vec BLOB, "
               "PRIMARY KEY (text_hash, fingerprint))")
    db.execute("INSERT OR IGNORE INTO vectors SELECT text_hash, fingerprint, vec FROM docs")
    db.execute("DROP TABLE docs")
    db.execute("DELETE FROM meta WHERE key IN ('generation', 'watermark')")
    db.execute("COMMIT")


def set_aside(path: Path) -> Path:
    """Rename a damaged state (and its WAL files) out of the way, keeping it for a person to look at."""
    aside = path.with_name(path.name + ".damaged")
    for suffix in _SUFFIXES:
        src = Path(str(path) + suffix)
        if src.exists():
            os.replace(src, Path(str(aside) + suffix))
    return aside
