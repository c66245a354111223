"""Read side of the index files: the current generation, reloaded when sync publishes a new one.

Layout of ``settings.INDEX_DIR`` (only ``paperfeed index`` / the worker writes it)::

    CURRENT.json        {"generation": 7, "lexical": "lexical-1", "vectors": "vectors-7", ...}
    lexical-<n>/        tantivy index (a new directory only on --rebuild; commits otherwise)
    vectors-<n>/        a published VectorSet (a new directory per generation)
    state.sqlite3       the writer's bookkeeping (hashes, vectors, watermark); readers never open it

Why a generation file: web processes must see new data without a restart and without
locks. Sync writes a complete new vectors directory, commits tantivy, then atomically
replaces CURRENT.json (write + rename). Every query stats that one file (microseconds); when
it changed, the process opens the new vectors and reloads its tantivy searcher. Old
directories are deleted after a grace period; a process still holding one keeps reading it
through its open/mapped files.
"""

from __future__ import annotations

import json
import os
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from django.conf import settings

from .lexical import LexicalIndex
from .vectors import VectorSet

CURRENT_FILE = "CURRENT.json"


@dataclass
class Snapshot:
    generation: int
    lexical: LexicalIndex
    vectors: VectorSet
    meta: dict


_lock = threading.Lock()
_cache: dict[str, tuple[tuple, Snapshot]] = {}


def index_dir() -> Path:
    return Path(settings.INDEX_DIR)


def read_meta(directory: Path | None = None) -> dict | None:
    try:
        return json.loads(((directory or index_dir()) / CURRENT_FILE).read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return None


def current() -> Snapshot | None:
    """The newest published generation, or None when no index was built yet."""
    directory = index_dir()
    path = directory / CURRENT_FILE
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    key = (st.st_mtime_ns, st.st_size, st.st_ino)
    cached = _cache.get(str(directory))
    if cached is not None and cached[0] == key:
        return cached[1]
    with _lock:
        cached = _cache.get(str(directory))
        if cached is not None and cached[0] == key:
            return cached[1]
        meta = read_meta(directory)
        if meta is None:
            return cached[1] if cached else None
        previous = cached[1] if cached else None
        if previous is not None and previous.meta.get("lexical") == meta["lexical"]:
            lexical = previous.lexical
            lexical.reload()
        else:
            lexical = LexicalIndex.open(directory / meta["lexical"])
        if previous is not None and previous.meta.get("vectors") == meta["vectors"]:
            vectors = previous.vectors
        else:
            vectors = VectorSet.load(directory / meta["vectors"])
        snapshot = Snapshot(int(meta["generation"]), lexical, vectors, meta)
        _cache[str(directory)] = (key, snapshot)
        return snapshot


def forget() -> None:
    """Drop every cached snapshot (tests; after deleting an index directory)."""
    with _lock:
        _cache.clear()


def get_vectors(paper_ids: list[int]) -> dict[int, np.ndarray]:
    """Stored vectors (float32, L2-normalised, 384-d) for paper pks; absent ids are left out.

    The public way for other apps (recommendations) to read vectors: it reads the same
    published generation search uses, so both agree. An empty dict when no index was built yet.
    """
    snapshot = current()
    if snapshot is None:
        return {}
    return snapshot.vectors.vectors_for([int(p) for p in paper_ids])
