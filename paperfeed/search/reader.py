"""Read side of the index files: the current generation, checked, reloaded when sync publishes a new one.

Layout of ``settings.INDEX_DIR`` (only ``paperfeed index`` / the worker writes it)::

    CURRENT.json        {"generation": 7, "dir": "gen-7", "format": 2}: the published generation
    gen-<n>/            one generation, complete and never changed once published:
      lexical/            tantivy index (hard links to the previous generation's unchanged segments)
      vectors/            a VectorSet
      manifest.json       size and blake2b of every file above (:mod:`.manifest`)
    state.sqlite3       the writer's bookkeeping and vector cache; readers never open it

Why a generation file: web processes must see new data without a restart and without
locks. Sync writes a complete new generation directory, then atomically replaces CURRENT.json
(write + rename). Every query stats that one file (microseconds); when it changed, the process
opens the new generation. Old directories are deleted after a grace period; a process still
holding one keeps reading it through its open/mapped files.

Damage: :func:`current` raises :class:`IndexDamaged` (with a sentence saying what is wrong)
when the pointer or a manifest is missing or garbled, a file is missing or has another size
than its manifest says (checked on every call, one ``stat`` per file), a file's bytes differ
from its checksum (checked once per generation in a background thread), or the files cannot
be opened. It returns None only when no index was ever published here. The search service
then falls back to the database; ``paperfeed index`` repairs the damage.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from django.conf import settings

from . import manifest as manifests
from .acronyms import AcronymTable
from .lexical import FORMAT as LEXICAL_FORMAT
from .lexical import LexicalIndex
from .manifest import Manifest, ManifestError
from .ranked import RankedLists
from .vectors import VectorSet
from .visible import VisiblePapers

CURRENT_FILE = "CURRENT.json"
GENERATION_PREFIX = "gen-"
LEXICAL_DIR = "lexical"
VECTORS_DIR = "vectors"
_OLD_LAYOUT = ("lexical-", "vectors-")  # format 1: no generation directories, no manifests
log = logging.getLogger(__name__)


class IndexDamaged(Exception):
    """The published index cannot be trusted; ``reason`` says why, for a person."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass
class Snapshot:
    generation: int
    lexical: LexicalIndex
    vectors: VectorSet
    meta: dict  # the CURRENT.json pointer
    path: Path  # the generation directory
    manifest: Manifest
    stamps: list[tuple[str, tuple[int, int]]] = field(default_factory=list)  # path -> (size, mtime) when opened
    damage: str = ""  # set by the background checksum when a file's bytes differ
    checksummed: bool = False
    warmed: bool = False  # see warm()
    _warm_lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def warm(self) -> int:
        """Build what the first queries of this generation would pay otherwise (the common acronyms'
        kept scores, writers and centroids, :meth:`.AcronymTable.warm`); once per snapshot: a second
        caller waits for the first. How many lists this call built.

        Called by a web worker's warm-up (server.warm_up), not in a thread of its own when a
        generation opens: a search reads the index's memory-mapped files, and a thread doing so
        while a damaged file is being rewritten dies with the whole process (SIGBUS), where a
        request would only have failed. A generation published while a worker serves builds each
        acronym's list on its first query, as before."""
        with self._warm_lock:
            if self.warmed:
                return 0
            try:
                return self.acronyms.warm(self.lexical, self.vectors)
            finally:
                self.warmed = True

    @functools.cached_property
    def acronyms(self) -> AcronymTable:
        """The generation's acronym meanings (:mod:`.acronyms`), read on first use: one JSON file."""
        return AcronymTable.load(self.path)

    @functools.cached_property
    def ranked(self) -> RankedLists:
        """The ranked lists of this generation's recent queries (:mod:`.ranked`): paging is a slice."""
        return RankedLists()

    @functools.cached_property
    def visible(self) -> VisiblePapers:
        """Which of this generation's papers may be shown now (:mod:`.visible`): no query per candidate."""
        return VisiblePapers()


@dataclass(frozen=True)
class IndexStatus:
    """What a health check needs to know about the published index, cheaply."""

    generation: int | None
    built_at: str | None
    papers: int
    ok: bool
    reason: str = ""
    checksummed: bool = False  # the background checksum of this generation finished and found it whole


_lock = threading.Lock()
_cache: dict[str, tuple[tuple, Snapshot]] = {}


def index_dir() -> Path:
    return Path(settings.INDEX_DIR)


def read_meta(directory: Path | None = None) -> dict | None:
    """The CURRENT.json pointer, or None when it is missing or garbled."""
    try:
        return read_pointer(directory or index_dir())
    except IndexDamaged:
        return None


def read_pointer(directory: Path) -> dict | None:
    """The pointer; None when there is none, :class:`IndexDamaged` when it cannot be used."""
    try:
        raw = (directory / CURRENT_FILE).read_bytes()
    except FileNotFoundError:
        return None
    except OSError as error:
        raise IndexDamaged(f"{CURRENT_FILE} cannot be read ({error})") from error
    try:
        meta = json.loads(raw)
        generation, name = int(meta["generation"]), str(meta["dir"])
    except (ValueError, TypeError, KeyError) as error:
        if isinstance(error, KeyError) and isinstance(meta, dict) and "lexical" in meta:
            raise IndexDamaged("the index was written by an older paperfeed (no manifests); "
                               "`paperfeed index` rebuilds it") from error
        raise IndexDamaged(f"{CURRENT_FILE} is garbled") from error
    if name != f"{GENERATION_PREFIX}{generation}":
        raise IndexDamaged(f"{CURRENT_FILE} names {name!r} for generation {generation}")
    return meta


def ever_published(directory: Path) -> bool:
    """Whether a generation was ever written here (so a missing pointer is damage, not a new install)."""
    try:
        return any(child.name.startswith((GENERATION_PREFIX, *_OLD_LAYOUT)) for child in directory.iterdir())
    except OSError:
        return False


def open_generation(directory: Path, meta: dict) -> Snapshot:
    """Open the generation ``meta`` points at, after checking it against its manifest's sizes."""
    gen_dir = directory / meta["dir"]
    try:
        manifest = manifests.load(gen_dir)
    except ManifestError as error:
        raise IndexDamaged(str(error)) from error
    problem = manifest_problem(manifest, int(meta["generation"]))
    problems = [problem] if problem else manifests.size_problems(gen_dir, manifest)
    if problems:
        raise IndexDamaged(_sentence(problems))
    files = [gen_dir / rel for rel in manifest.files] + [gen_dir / manifests.MANIFEST_FILE]
    try:
        stamps = [(str(path), _stamp(path)) for path in files]
        lexical = LexicalIndex.open(gen_dir / LEXICAL_DIR)
        vectors = VectorSet.load(gen_dir / VECTORS_DIR)
        counts = (lexical.num_docs, len(vectors))
    except Exception as error:  # tantivy and numpy raise many kinds on garbage; all mean the same here
        raise IndexDamaged(f"{gen_dir.name} cannot be opened ({type(error).__name__}: {error})") from error
    if counts != (manifest.papers, manifest.papers):
        raise IndexDamaged(f"{gen_dir.name} holds {counts[0]} lexical and {counts[1]} vector documents, "
                           f"its manifest says {manifest.papers}")
    return Snapshot(int(meta["generation"]), lexical, vectors, meta, gen_dir, manifest, stamps)


def manifest_problem(manifest: Manifest, generation: int) -> str:
    """Why a well-formed manifest does not fit this code or its pointer ("" when it does)."""
    if manifest.format != manifests.FORMAT_VERSION or manifest.lexical_format != LEXICAL_FORMAT:
        return (f"generation {generation} was written in another index format "
                f"({manifest.format}/{manifest.lexical_format}); `paperfeed index` rebuilds it")
    if manifest.generation != generation:
        return f"the manifest of {GENERATION_PREFIX}{generation} describes generation {manifest.generation}"
    return ""


def _sentence(problems: list[str]) -> str:
    more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
    return f"{problems[0]}{more}"


def current() -> Snapshot | None:
    """The newest published generation; None when no index was ever built; IndexDamaged when damaged."""
    directory = index_dir()
    try:
        st = os.stat(directory / CURRENT_FILE)
    except FileNotFoundError:
        if ever_published(directory):
            raise IndexDamaged(f"{CURRENT_FILE} is missing; `paperfeed index` repairs it") from None
        return None
    key = (st.st_mtime_ns, st.st_size, st.st_ino)
    cached = _cache.get(str(directory))
    if cached is None or cached[0] != key:
        with _lock:
            cached = _cache.get(str(directory))
            if cached is None or cached[0] != key:
                meta = read_pointer(directory)
                if meta is None:  # removed between the stat and the read
                    raise IndexDamaged(f"{CURRENT_FILE} is missing; `paperfeed index` repairs it")
                cached = (key, open_generation(directory, meta))
                _cache[str(directory)] = cached
                _checksum_in_background(cached[1])
    return _whole(cached[1])


def _stamp(path: Path | str) -> tuple[int, int]:
    st = os.stat(path)
    return st.st_size, st.st_mtime_ns


def _whole(snapshot: Snapshot) -> Snapshot:
    """The snapshot, unless a file of it went missing or was rewritten since it was opened (one stat each:
    a published file is never written again, so a new size or mtime is damage)."""
    if snapshot.damage:
        raise IndexDamaged(snapshot.damage)
    for path, stamp in snapshot.stamps:
        try:
            if _stamp(path) == stamp:
                continue
            what = "was rewritten after it was published"
        except OSError:
            what = "is missing"
        problems = manifests.size_problems(snapshot.path, snapshot.manifest)
        raise IndexDamaged(_sentence(problems or [f"{os.path.relpath(path, snapshot.path.parent)} {what}"]))
    return snapshot


def _checksum_in_background(snapshot: Snapshot) -> None:
    """Read every byte once, off the request path; a mismatch marks the snapshot damaged."""

    def run() -> None:
        try:
            problems = manifests.checksum_problems(snapshot.path, snapshot.manifest)
        except Exception as error:  # never let a checker thread die noisily; report what it saw
            problems = [f"{snapshot.path.name} could not be checked ({error})"]
        if problems:
            snapshot.damage = _sentence(problems)
            log.error("search index damaged: %s", snapshot.damage)
        snapshot.checksummed = not problems

    threading.Thread(target=run, name=f"index-checksum-{snapshot.generation}", daemon=True).start()


def status() -> IndexStatus:
    """Generation, build time, paper count and whether the index is whole; cheap enough for /healthz."""
    try:
        snapshot = current()
    except IndexDamaged as damaged:
        return IndexStatus(None, None, 0, False, damaged.reason)
    if snapshot is None:
        return IndexStatus(None, None, 0, False, "no index has been built yet (run `paperfeed index`)")
    return IndexStatus(snapshot.generation, snapshot.manifest.created, snapshot.manifest.papers, True,
                       checksummed=snapshot.checksummed)


def forget() -> None:
    """Drop every cached snapshot (tests; after deleting an index directory)."""
    with _lock:
        _cache.clear()


def get_vectors(paper_ids: list[int]) -> dict[int, np.ndarray]:
    """Stored vectors (float32, L2-normalised, 384-d) for paper pks; absent ids are left out.

    The public way for other apps (recommendations) to read vectors: it reads the same
    published generation search uses, so both agree. An empty dict when no index was built
    yet; :class:`IndexDamaged` when it is damaged (callers fall back as they do on any error).
    """
    snapshot = current()
    if snapshot is None:
        return {}
    return snapshot.vectors.vectors_for([int(p) for p in paper_ids])
