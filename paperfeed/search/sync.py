"""Write side of the index files: incremental sync from the database, rebuild, verify.

Only the worker and ``paperfeed index`` call this (one at a time: a file lock serialises
them); web processes only read (see :mod:`.reader`).

What a sync does, in four phases (:func:`sync_indexes`):

1. *plan*: compare the database with the writer's state (``state.sqlite3``): papers updated since
   the watermark (``Paper.updated_at``, with a small overlap so a transaction committing
   late is not missed), visible papers the index lacks, and indexed papers that are now
   hidden or deleted. The full id comparison catches hides/deletes done with
   ``QuerySet.update()``, which does not bump ``updated_at``.
   For each changed paper compare a hash of what the index holds (title, abstract,
   authors, categories, day, version): unchanged papers cost nothing.
2. *vectors*: a paper whose *text* hash and embedder fingerprint match a stored vector keeps
   it: the state's own, else the previous state's (a rebuild re-embeds nothing it already
   has), else the sample's shipped vectors (``paperfeed/sample/vectors.*``), so the demo
   builds in seconds.
3. *embed*: the rest are embedded in batches, with a progress bar.
4. *publish*: commit the tantivy changes, publish a new vectors directory, then atomically replace
   ``CURRENT.json`` so readers switch.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
from django.conf import settings

from paperfeed.papers.models import Paper

from .embedder import Embedder, paper_text
from .lexical import LexicalDoc, LexicalIndex, day_number
from .reader import CURRENT_FILE, read_meta
from .vectors import VectorSet

STATE_FILE = "state.sqlite3"
LOCK_FILE = ".sync.lock"
WATERMARK_OVERLAP = timedelta(minutes=5)
CHUNK = 500
EMBED_BATCH = 64
KEEP_OLD_SECONDS = 600  # old generations stay this long for processes still reading them
SAMPLE_DIR = Path(__file__).resolve().parents[1] / "sample"
_SQLITE_SUFFIXES = ("", "-wal", "-shm")
FIELDS = ("pk", "arxiv_id", "version", "title", "abstract", "authors", "categories", "announced", "published",
          "updated_at")


# --------------------------------------------------------------------------- hashing


def text_hash(title: str, abstract: str) -> str:
    """What the vector depends on: the embedded text."""
    return hashlib.sha256(paper_text(title, abstract).encode("utf-8")).hexdigest()[:32]


def doc_hash(row: dict) -> str:
    """What the lexical index depends on (plus the version, for --verify's staleness check)."""
    payload = json.dumps([row["title"], row["abstract"], row["authors"], row["categories"],
                          str(_day(row)), row["version"]], ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:32]


def _day(row: dict):
    if row.get("announced"):
        return row["announced"]
    published = row.get("published")
    return published.date() if published else None


def _lexical_doc(row: dict) -> LexicalDoc:
    return LexicalDoc(pk=row["pk"], title=row["title"], abstract=row["abstract"] or "",
                      authors=[str(a) for a in (row["authors"] or [])], categories=row["categories"].split(),
                      day=_day(row))


# --------------------------------------------------------------------------- writer state


class State:
    """The writer's bookkeeping: one row per indexed paper (hashes + its vector)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.db = sqlite3.connect(path, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute(
            "CREATE TABLE IF NOT EXISTS docs (pk INTEGER PRIMARY KEY, arxiv_id TEXT, version INTEGER, "
            "doc_hash TEXT, text_hash TEXT, fingerprint TEXT, day INTEGER, categories TEXT, vec BLOB)"
        )
        self.db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)")

    def close(self) -> None:
        self.db.close()

    def get_meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    def hashes(self) -> dict[int, tuple[str, str, str]]:
        """pk -> (doc_hash, text_hash, fingerprint)."""
        return {pk: (d, t, f) for pk, d, t, f in self.db.execute(
            "SELECT pk, doc_hash, text_hash, fingerprint FROM docs")}

    def vectors_by_text(self, fingerprint: str) -> dict[str, bytes]:
        return dict(self.db.execute("SELECT text_hash, vec FROM docs WHERE fingerprint = ?", (fingerprint,)))

    def vector_of(self, pk: int) -> bytes | None:
        row = self.db.execute("SELECT vec FROM docs WHERE pk = ?", (pk,)).fetchone()
        return row[0] if row else None

    def upsert(self, rows: list[tuple]) -> None:
        self.db.execute("BEGIN")
        self.db.executemany("INSERT OR REPLACE INTO docs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
        self.db.execute("COMMIT")

    def delete(self, pks: list[int]) -> None:
        self.db.execute("BEGIN")
        self.db.executemany("DELETE FROM docs WHERE pk = ?", [(pk,) for pk in pks])
        self.db.execute("COMMIT")

    def matrix(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[list[str]]]:
        pks, days, cats, vecs = [], [], [], []
        for pk, day, categories, vec in self.db.execute("SELECT pk, day, categories, vec FROM docs ORDER BY pk"):
            pks.append(pk)
            days.append(day)
            cats.append(categories.split())
            vecs.append(vec)
        dim = len(vecs[0]) // 2 if vecs else 384
        matrix = np.frombuffer(b"".join(vecs), dtype=np.float16).reshape(len(vecs), dim) if vecs else \
            np.zeros((0, dim), dtype=np.float16)
        return np.asarray(pks, dtype=np.int64), matrix, np.asarray(days, dtype=np.int32), cats


# --------------------------------------------------------------------------- helpers


@contextlib.contextmanager
def _locked(directory: Path) -> Iterator[None]:
    directory.mkdir(parents=True, exist_ok=True)
    with open(directory / LOCK_FILE, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _write_current(directory: Path, meta: dict) -> None:
    tmp = directory / f".{CURRENT_FILE}.{os.getpid()}.tmp"
    tmp.write_text(json.dumps(meta, indent=1), encoding="utf-8")
    os.replace(tmp, directory / CURRENT_FILE)


def _remove_dir(path: Path) -> None:
    """A leftover of a sync that died before publishing it: nobody reads it."""
    if path.exists():
        shutil.rmtree(path)


def _cleanup(directory: Path, keep: set[str]) -> None:
    """Remove generations no longer current, once they are old enough."""
    now = time.time()
    for child in directory.iterdir():
        old = child.is_dir() and child.name.startswith(("lexical-", "vectors-")) and child.name not in keep
        if old and now - child.stat().st_mtime > KEEP_OLD_SECONDS:
            shutil.rmtree(child, ignore_errors=True)


def shipped_dir() -> Path:
    """Where pre-computed vectors ship: the bundled sample (``SEARCH_SHIPPED_VECTORS`` overrides)."""
    return Path(getattr(settings, "SEARCH_SHIPPED_VECTORS", None) or SAMPLE_DIR)


def write_shipped_vectors(directory: Path, arxiv_ids: list[str], text_hashes: list[str], vectors: np.ndarray,
                          fingerprint: str) -> None:
    """Write ``vectors.f16.npy`` + ``vectors.json`` (ids, text hashes, embedder fingerprint)."""
    directory.mkdir(parents=True, exist_ok=True)
    np.save(directory / "vectors.f16.npy", np.asarray(vectors, dtype=np.float16))
    (directory / "vectors.json").write_text(json.dumps(
        {"fingerprint": fingerprint, "count": len(arxiv_ids), "ids": list(arxiv_ids),
         "text_hashes": list(text_hashes)}, indent=0), encoding="utf-8")


def shipped_vectors() -> tuple[str, dict[tuple[str, str], np.ndarray]]:
    """Pre-computed vectors that ship: (fingerprint, {(arxiv_id, text_hash): vector})."""
    directory = shipped_dir()
    meta_path, vec_path = directory / "vectors.json", directory / "vectors.f16.npy"
    if not (meta_path.exists() and vec_path.exists()):
        return "", {}
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    matrix = np.load(vec_path)
    if matrix.shape[0] != len(meta["ids"]):
        return "", {}
    return meta["fingerprint"], {(a, h): matrix[i] for i, (a, h) in enumerate(
        zip(meta["ids"], meta["text_hashes"], strict=True))}


class _Progress:
    """Rich progress bars when asked, silence otherwise."""

    def __init__(self, enabled: bool, console) -> None:
        self.bar = None
        if enabled:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

            self.bar = Progress("  [progress.description]{task.description}", BarColumn(), MofNCompleteColumn(),
                                TimeRemainingColumn(), console=console, transient=False)

    def __enter__(self) -> _Progress:
        if self.bar:
            self.bar.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        if self.bar:
            self.bar.stop()

    def task(self, description: str, total: int):
        return self.bar.add_task(description, total=total) if self.bar else None

    def advance(self, task, n: int) -> None:
        if self.bar and task is not None:
            self.bar.advance(task, n)


# --------------------------------------------------------------------------- sync


@dataclass
class SyncReport:
    """What one sync did; ``str()`` is the one-line summary the CLI and the worker print."""

    generation: int = 0
    indexed: int = 0
    added_or_changed: int = 0
    removed: int = 0
    embedded: int = 0
    vectors_reused: int = 0
    shipped_vectors_used: int = 0
    published: bool = False
    rebuilt: bool = False
    seconds: float = 0.0

    def __str__(self) -> str:
        verb = "rebuilt" if self.rebuilt else ("updated" if self.published else "up to date")
        return (f"search index {verb}: {self.indexed} papers, {self.added_or_changed} added/changed, "
                f"{self.removed} removed, {self.embedded} embedded, "
                f"{self.shipped_vectors_used + self.vectors_reused} vectors reused ({self.seconds}s)")


@dataclass
class _Target:
    """The files one sync writes, opened by :func:`_open` and closed when it ends."""

    directory: Path
    meta: dict | None  # the published CURRENT.json, None before the first build
    state: State
    cache: State | None  # on a rebuild: the previous state, whose vectors are reused by text hash
    lexical: LexicalIndex
    lexical_name: str
    fresh: bool  # a new lexical index: every visible paper goes in

    @property
    def generation(self) -> int:
        return int(self.meta["generation"]) if self.meta else 0


@dataclass
class _Change:
    """A paper whose index entry must be (re)written."""

    row: dict
    doc_hash: str
    text_hash: str

    def state_row(self, fingerprint: str, vec: bytes) -> tuple:
        row = self.row
        return (row["pk"], row["arxiv_id"], row["version"], self.doc_hash, self.text_hash, fingerprint,
                day_number(_day(row)), " ".join(row["categories"].split()), vec)


@dataclass
class _Plan:
    """What the database asks of the index: papers to write, papers to drop, the new watermark."""

    indexed: dict[int, tuple[str, str, str]]  # the state before this sync: pk -> hashes
    changed: list[_Change]
    removed: list[int]
    newest: datetime | None
    fingerprint: str = ""  # the embedder's, once one is needed
    embedder: Embedder | None = None


def sync_indexes(progress: bool = True, console=None, rebuild: bool = False) -> SyncReport:
    """Bring the index files up to date with the database: plan, vectors, embed, publish.

    See the module docstring for what each phase compares and why.
    """
    started = time.perf_counter()
    directory = Path(settings.INDEX_DIR)
    report = SyncReport(rebuilt=rebuild)
    with _locked(directory), _open(directory, rebuild) as target, _Progress(progress, console) as bars:
        plan = _plan(target, bars)
        ready, missing = _vectors(target, plan, report)
        _embed(target, plan, missing, bars, report)
        _publish(target, plan, ready, bars, report)
    report.seconds = round(time.perf_counter() - started, 2)
    if console is not None:
        console.print(f"  {report}")
    return report


@contextlib.contextmanager
def _open(directory: Path, rebuild: bool) -> Iterator[_Target]:
    """The writer state and the lexical index to write: a new one on rebuild or when it is missing."""
    meta = read_meta(directory)
    state_path = directory / STATE_FILE
    cache: State | None = None
    if rebuild or meta is None or not (directory / meta["lexical"]).exists():
        if state_path.exists():
            cache = State(_move_state(state_path, directory / f"{STATE_FILE}.old"))
        lexical_name = f"lexical-{(int(meta['generation']) if meta else 0) + 1}"
        _remove_dir(directory / lexical_name)
        lexical, fresh = LexicalIndex.create(directory / lexical_name), True
    else:
        lexical_name = meta["lexical"]
        lexical, fresh = LexicalIndex.open(directory / lexical_name), False
    state = State(state_path)
    try:
        yield _Target(directory, meta, state, cache, lexical, lexical_name, fresh)
    finally:
        state.close()
        if cache is not None:
            cache.close()
            for suffix in _SQLITE_SUFFIXES:
                Path(str(cache.path) + suffix).unlink(missing_ok=True)


def _move_state(src: Path, dst: Path) -> Path:
    """Keep the old state as a cache of vectors by text hash: a rebuild re-embeds nothing it had."""
    for suffix in _SQLITE_SUFFIXES:
        if Path(str(src) + suffix).exists():
            os.replace(Path(str(src) + suffix), Path(str(dst) + suffix))
    return dst


def _plan(target: _Target, bars: _Progress) -> _Plan:
    """Compare the database with the state: by watermark and hashes for changes, by ids for removals."""
    state = target.state
    watermark = state.get_meta("watermark")
    indexed = state.hashes()
    visible = dict(Paper.objects.visible().values_list("pk", "updated_at"))
    candidates = list(visible)
    if watermark:
        since = datetime.fromisoformat(watermark) - WATERMARK_OVERLAP
        candidates = [pk for pk, upd in visible.items() if pk not in indexed or upd is None or upd >= since]
    plan = _Plan(indexed, [], sorted(set(indexed) - set(visible)),
                 max((u for u in visible.values() if u is not None), default=None))
    read_task = bars.task("reading papers", len(candidates))
    for start in range(0, len(candidates), CHUNK):
        chunk = candidates[start : start + CHUNK]
        for row in Paper.objects.filter(pk__in=chunk, hidden=False).values(*FIELDS):
            change = _change(row)
            old = indexed.get(row["pk"])
            if old is None or old[0] != change.doc_hash or target.fresh:
                plan.changed.append(change)
        bars.advance(read_task, len(chunk))
    plan.fingerprint = state.get_meta("fingerprint") or ""
    if plan.changed or (indexed and not target.fresh):
        _choose_embedder(plan, visible)
    return plan


def _change(row: dict) -> _Change:
    return _Change(row, doc_hash(row), text_hash(row["title"], row["abstract"] or ""))


def _choose_embedder(plan: _Plan, visible: dict) -> None:
    """Load the embedder; when it is not the one the stored vectors came from, re-embed everything."""
    plan.embedder = Embedder.default()
    if plan.fingerprint and plan.fingerprint != plan.embedder.fingerprint:
        # The model changed: every stored vector is from another space.
        changed_pks = {c.row["pk"] for c in plan.changed}
        stale = [pk for pk in plan.indexed if pk not in changed_pks and pk in visible]
        for start in range(0, len(stale), CHUNK):
            for row in Paper.objects.filter(pk__in=stale[start : start + CHUNK]).values(*FIELDS):
                plan.changed.append(_change(row))
    plan.fingerprint = plan.embedder.fingerprint


def _vectors(target: _Target, plan: _Plan, report: SyncReport) -> tuple[list[tuple], list[_Change]]:
    """Vectors that need no model: the state's own, the rebuild cache's, the shipped sample's.

    Returns the state rows ready to store and the changes still to embed.
    """
    shipped_fp, shipped = shipped_vectors() if plan.changed else ("", {})
    reuse = target.cache.vectors_by_text(plan.fingerprint) if target.cache is not None else {}
    ready: list[tuple] = []
    missing: list[_Change] = []
    for change in plan.changed:
        pk, t_hash = change.row["pk"], change.text_hash
        old = plan.indexed.get(pk)
        vec: bytes | None = None
        if old is not None and old[1] == t_hash and old[2] == plan.fingerprint:
            vec = target.state.vector_of(pk)
            report.vectors_reused += 1
        elif t_hash in reuse:
            vec = reuse[t_hash]
            report.vectors_reused += 1
        elif shipped_fp == plan.fingerprint and (change.row["arxiv_id"], t_hash) in shipped:
            vec = shipped[(change.row["arxiv_id"], t_hash)].astype(np.float16).tobytes()
            report.shipped_vectors_used += 1
        if vec is None:
            missing.append(change)
        else:
            ready.append(change.state_row(plan.fingerprint, vec))
    return ready, missing


def _embed(target: _Target, plan: _Plan, missing: list[_Change], bars: _Progress, report: SyncReport) -> None:
    """Embed what no stored vector covers, in batches stored as they finish."""
    if not missing:
        return
    embed_task = bars.task("embedding", len(missing))
    for start in range(0, len(missing), EMBED_BATCH * 4):
        part = missing[start : start + EMBED_BATCH * 4]
        vectors = plan.embedder.encode([paper_text(c.row["title"], c.row["abstract"] or "") for c in part],
                                       batch_size=EMBED_BATCH)
        target.state.upsert([c.state_row(plan.fingerprint, v.astype(np.float16).tobytes())
                             for c, v in zip(part, vectors, strict=True)])
        report.embedded += len(part)
        bars.advance(embed_task, len(part))


def _commit(target: _Target, plan: _Plan, ready: list[tuple], bars: _Progress) -> None:
    """Store the reused vectors, drop removed papers, and commit the lexical changes."""
    if ready:
        target.state.upsert(ready)
    if plan.removed:
        target.state.delete(plan.removed)
    if plan.changed or plan.removed:
        lex_task = bars.task("search index", len(plan.changed) + len(plan.removed))
        target.lexical.write([_lexical_doc(c.row) for c in plan.changed], plan.removed)
        bars.advance(lex_task, len(plan.changed) + len(plan.removed))


def _publish(target: _Target, plan: _Plan, ready: list[tuple], bars: _Progress, report: SyncReport) -> None:
    """Commit, then a new vectors directory and CURRENT.json when anything changed; then the watermark."""
    _commit(target, plan, ready, bars)
    directory, state = target.directory, target.state
    generation = target.generation
    vectors_missing = target.meta is None or not (directory / target.meta.get("vectors", "")).exists()
    if plan.changed or plan.removed or target.fresh or vectors_missing:
        generation += 1
        pks, matrix, days, cats = state.matrix()
        vectors_name = f"vectors-{generation}"
        _remove_dir(directory / vectors_name)
        VectorSet.write(directory / vectors_name, pks, matrix, days, cats)
        _write_current(directory, {"generation": generation, "lexical": target.lexical_name,
                                   "vectors": vectors_name, "fingerprint": plan.fingerprint, "docs": int(len(pks)),
                                   "published_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())})
        _cleanup(directory, {target.lexical_name, vectors_name})
        report.published = True
    if plan.fingerprint:
        state.set_meta("fingerprint", plan.fingerprint)
    if plan.newest is not None:
        state.set_meta("watermark", plan.newest.isoformat())
    report.generation = generation
    report.added_or_changed = len(plan.changed)
    report.removed = len(plan.removed)
    report.indexed = len(state.hashes())


# --------------------------------------------------------------------------- verify


def verify_indexes() -> dict:
    """Drift between the database and the index files; ``report["drift"]`` is True on any."""
    directory = Path(settings.INDEX_DIR)
    meta = read_meta(directory)
    report: dict[str, Any] = {"index_dir": str(directory), "generation": None, "db_visible": 0,
                              "lexical_docs": 0, "vector_docs": 0, "missing": [], "extra": [], "stale": [],
                              "fingerprint_ok": True, "drift": True, "problems": []}
    db_rows = {row["pk"]: row for row in Paper.objects.visible().values(*FIELDS)}
    report["db_visible"] = len(db_rows)
    if meta is None:
        report["problems"].append("no index has been built (run `paperfeed index`)")
        return report
    report["generation"] = meta["generation"]
    try:
        lexical = LexicalIndex.open(directory / meta["lexical"])
        vectors = VectorSet.load(directory / meta["vectors"])
    except Exception as error:  # a damaged directory is drift, not a crash
        report["problems"].append(f"cannot open the index: {error}")
        return report
    lexical_pks = lexical.all_pks()
    report["lexical_docs"] = len(lexical_pks)
    report["vector_docs"] = len(vectors)
    lexical_set, vector_set = set(lexical_pks), set(vectors.pks.tolist())
    if len(lexical_set) != len(lexical_pks):
        report["problems"].append(f"{len(lexical_pks) - len(lexical_set)} duplicate documents in the lexical index")
    db_set = set(db_rows)
    report["missing"] = sorted((db_set - lexical_set) | (db_set - vector_set))
    report["extra"] = sorted((lexical_set - db_set) | (vector_set - db_set))
    state_path = directory / STATE_FILE
    if state_path.exists():
        state = State(state_path)
        try:
            hashes = state.hashes()
            for pk, row in db_rows.items():
                old = hashes.get(pk)
                if old is not None and old[0] != doc_hash(row):
                    report["stale"].append(pk)
            fingerprints = {f for _, _, f in hashes.values()}
        finally:
            state.close()
        try:
            current_fp = Embedder.default().fingerprint
        except Exception as error:  # the model cannot load: say so
            report["problems"].append(f"embedder unavailable: {error}")
            current_fp = None
        if current_fp is not None and fingerprints - {current_fp}:
            report["fingerprint_ok"] = False
            report["problems"].append(f"vectors from another embedder: {sorted(fingerprints - {current_fp})}")
    else:
        report["problems"].append("writer state is missing (run `paperfeed index --rebuild`)")
    if report["missing"]:
        report["problems"].append(f"{len(report['missing'])} visible papers missing from the index")
    if report["extra"]:
        report["problems"].append(f"{len(report['extra'])} indexed papers hidden or deleted in the database")
    if report["stale"]:
        report["problems"].append(f"{len(report['stale'])} papers changed since they were indexed")
    report["drift"] = bool(report["problems"])
    return report
