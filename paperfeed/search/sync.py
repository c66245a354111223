"""Write side of the index files: incremental sync from the database, repair, rebuild, check.

Only the worker and ``paperfeed index`` call this (one at a time: a file lock serialises
them); web processes only read (see :mod:`.reader`).

What a sync does, in five phases (:func:`sync_indexes`):

1. *assess*: read the published generation (``CURRENT.json`` -> ``gen-<n>/manifest.json``) and
   check every file against its manifest, sizes and checksums. Damage of any kind -- a missing
   or garbled pointer or manifest, a missing, truncated or garbled file, another index format,
   a writer state that describes another generation -- makes this sync build a *fresh*
   generation instead of an incremental one (``--rebuild`` asks for that too). Nothing is ever
   repaired in place: a published generation is never written again.
2. *plan*: compare the database with the state (:mod:`.state`): papers updated since the
   watermark (``Paper.updated_at``, with a small overlap so a transaction committing late is
   not missed), visible papers the index lacks, and indexed papers that are now hidden or
   deleted (a full id comparison catches hides/deletes done with ``QuerySet.update()``, which
   does not bump ``updated_at``). For each changed paper a hash of what the index holds (title,
   abstract, authors, categories, day, version) decides whether it changed. A fresh generation
   takes every visible paper.
3. *vectors*: a paper whose *text* hash and embedder fingerprint are in the vector cache keeps
   that vector (so a rebuild or a repair re-embeds nothing it already has), else the sample's
   shipped vectors (``paperfeed/sample/vectors.*``) are used, so the demo builds in seconds.
4. *embed*: the rest are embedded in batches, each committed to the cache as it finishes, with
   a progress bar. A sync killed here keeps every finished batch.
5. *publish*: write a new generation directory aside (the lexical index hard-links the previous
   generation's immutable segments and commits the changes; a fresh one is built whole; a new
   vectors directory), then its manifest, then atomically replace ``CURRENT.json`` so readers
   switch, then commit the state.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
from django.conf import settings

from paperfeed.papers.models import Paper

from . import acronyms
from . import manifest as manifests
from .embedder import Embedder, paper_text
from .lexical import FORMAT as LEXICAL_FORMAT
from .lexical import LexicalDoc, LexicalIndex, day_number
from .manifest import Manifest, ManifestError
from .reader import (
    CURRENT_FILE,
    GENERATION_PREFIX,
    LEXICAL_DIR,
    VECTORS_DIR,
    IndexDamaged,
    IndexStatus,
    manifest_problem,
    read_pointer,
)
from .state import STATE_FILE, State
from .vectors import VectorSet

LOCK_FILE = ".sync.lock"
WATERMARK_OVERLAP = timedelta(minutes=5)
CHUNK = 500
EMBED_BATCH = 64  # texts per model call; each batch is committed to the vector cache on its own
KEEP_OLD_SECONDS = 600  # old generations stay this long for processes still reading them
SAMPLE_DIR = Path(__file__).resolve().parents[1] / "sample"
FIELDS = ("pk", "arxiv_id", "version", "title", "abstract", "authors", "categories", "announced", "published",
          "updated_at")
_FORMAT_1 = ("lexical-", "vectors-")


# --------------------------------------------------------------------------- hashing


def text_hash(title: str, abstract: str) -> str:
    """What the vector depends on: the embedded text."""
    return hashlib.sha256(paper_text(title, abstract).encode("utf-8")).hexdigest()[:32]


def doc_hash(row: dict) -> str:
    """What the lexical index depends on (plus the version, for --check's staleness check)."""
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


def _generation_number(name: str) -> int | None:
    suffix = name[len(GENERATION_PREFIX):] if name.startswith(GENERATION_PREFIX) else ""
    return int(suffix) if suffix.isdigit() else None


def _cleanup(directory: Path, current: int) -> None:
    """Remove what no reader can be using: generations past the current one (a killed sync's), and
    older ones and format-1 directories once they are older than the grace period."""
    now = time.time()
    for child in directory.iterdir():
        number = _generation_number(child.name)
        if not child.is_dir() or number == current or (number is None and not child.name.startswith(_FORMAT_1)):
            continue
        if (number is not None and number > current) or now - child.stat().st_mtime > KEEP_OLD_SECONDS:
            shutil.rmtree(child, ignore_errors=True)


def _link_tree(src: Path, dst: Path) -> None:
    """A copy of a tantivy directory made of hard links: its segment files are never rewritten, and
    tantivy replaces its meta files by rename, so writing the copy leaves the original intact."""
    dst.mkdir(parents=True)
    for child in src.iterdir():
        if child.is_file() and child.name not in manifests.IGNORED:
            os.link(child, dst / child.name)


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
    repaired: str = ""  # the damage found in the published generation, which this sync replaced
    seconds: float = 0.0

    def __str__(self) -> str:
        verb = "rebuilt" if self.rebuilt else ("updated" if self.published else "up to date")
        verb = f"repaired ({self.repaired})" if self.repaired else verb
        return (f"search index {verb}: {self.indexed} papers, {self.added_or_changed} added/changed, "
                f"{self.removed} removed, {self.embedded} embedded, "
                f"{self.shipped_vectors_used + self.vectors_reused} vectors reused ({self.seconds}s)")


@dataclass
class _Base:
    """The published generation a sync starts from, and whether it can be built on."""

    directory: Path
    meta: dict | None = None  # the CURRENT.json pointer
    manifest: Manifest | None = None
    damage: str = ""  # why it cannot be trusted ("" when whole, or when nothing was published)
    next_generation: int = 1

    @property
    def generation(self) -> int:
        return int(self.meta["generation"]) if self.meta else 0

    @property
    def dir(self) -> Path | None:
        return None if self.meta is None else self.directory / self.meta["dir"]


@dataclass
class _Target:
    """What one sync works with: the index dir, the published base, the state, fresh or incremental."""

    directory: Path
    base: _Base
    state: State
    fresh: bool  # a new generation from every visible paper (rebuild, damage, first build)


@dataclass
class _Change:
    """A paper whose index entry must be (re)written."""

    row: dict
    doc_hash: str
    text_hash: str

    def state_row(self, fingerprint: str) -> tuple:
        row = self.row
        return (row["pk"], row["arxiv_id"], row["version"], self.doc_hash, self.text_hash, fingerprint,
                day_number(_day(row)), " ".join(row["categories"].split()))


@dataclass
class _Plan:
    """What the database asks of the index: papers to write, papers to drop, the new watermark."""

    indexed: dict[int, tuple[str, str, str]]  # the published docs before this sync: pk -> hashes
    changed: list[_Change] = field(default_factory=list)
    removed: list[int] = field(default_factory=list)
    newest: datetime | None = None
    fingerprint: str = ""  # the embedder's, once one is needed
    embedder: Embedder | None = None


def sync_indexes(progress: bool = True, console=None, rebuild: bool = False) -> SyncReport:
    """Bring the index files up to date with the database, repairing any damage: assess, plan,
    vectors, embed, publish. See the module docstring for what each phase compares and why."""
    started = time.perf_counter()
    directory = Path(settings.INDEX_DIR)
    report = SyncReport(rebuilt=rebuild)
    with _locked(directory), _open(directory, rebuild, report) as target, _Progress(progress, console) as bars:
        plan = _plan(target, bars)
        missing = _vectors(target, plan, report)
        _embed(target, plan, missing, bars, report)
        _publish(target, plan, bars, report)
    report.seconds = round(time.perf_counter() - started, 2)
    if console is not None:
        console.print(f"  {report}")
    return report


@contextlib.contextmanager
def _open(directory: Path, rebuild: bool, report: SyncReport) -> Iterator[_Target]:
    """The published base, checked in full, and the state; fresh when the base cannot be built on."""
    state = State(directory / STATE_FILE)
    try:
        base = _assess(directory, checksums=True)
        report.repaired = base.damage
        if not base.damage and base.meta is not None and state.get_meta("generation") != str(base.generation):
            report.repaired = (f"the writer state describes generation {state.get_meta('generation')}, "
                               f"the published one is {base.generation}")
        fresh = rebuild or base.meta is None or bool(report.repaired)
        yield _Target(directory, base, state, fresh)
    finally:
        state.close()


def _assess(directory: Path, checksums: bool) -> _Base:
    """The published generation and its damage, read from the pointer, the manifest and the files."""
    numbers = [n for child in (directory.iterdir() if directory.is_dir() else ())
               if (n := _generation_number(child.name)) is not None]
    base = _Base(directory, next_generation=max(numbers, default=0) + 1)
    try:
        base.meta = read_pointer(directory)
    except IndexDamaged as damaged:
        base.damage = damaged.reason
        return base
    if base.meta is None:
        if numbers or any(child.name.startswith(_FORMAT_1) for child in directory.iterdir()):
            base.damage = f"{CURRENT_FILE} is missing"
        return base
    base.next_generation = max(base.next_generation, base.generation + 1)
    try:
        base.manifest = manifests.load(base.dir)
    except ManifestError as error:
        base.damage = str(error)
        return base
    problems = [p] if (p := manifest_problem(base.manifest, base.generation)) else (
        manifests.checksum_problems if checksums else manifests.size_problems)(base.dir, base.manifest)
    if problems:
        base.damage = problems[0] + (f" (and {len(problems) - 1} more)" if len(problems) > 1 else "")
    return base


def _plan(target: _Target, bars: _Progress) -> _Plan:
    """Compare the database with the state: by watermark and hashes for changes, by ids for removals."""
    state = target.state
    watermark = None if target.fresh else state.get_meta("watermark")
    plan = _Plan({} if target.fresh else state.hashes())
    visible = dict(Paper.objects.visible().values_list("pk", "updated_at"))
    unvectored = set() if target.fresh else state.without_vectors()
    candidates = list(visible)
    if watermark:
        since = datetime.fromisoformat(watermark) - WATERMARK_OVERLAP
        candidates = [pk for pk, upd in visible.items()
                      if pk not in plan.indexed or pk in unvectored or upd is None or upd >= since]
    plan.removed = sorted(set(plan.indexed) - set(visible))
    plan.newest = max((u for u in visible.values() if u is not None), default=None)
    read_task = bars.task("reading papers", len(candidates))
    for start in range(0, len(candidates), CHUNK):
        chunk = candidates[start : start + CHUNK]
        for row in Paper.objects.filter(pk__in=chunk, hidden=False).values(*FIELDS):
            change = _change(row)
            old = plan.indexed.get(row["pk"])
            if old is None or old[0] != change.doc_hash or row["pk"] in unvectored:
                plan.changed.append(change)
        bars.advance(read_task, len(chunk))
    plan.fingerprint = state.get_meta("fingerprint") or ""
    if plan.changed or plan.indexed:
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


def _vectors(target: _Target, plan: _Plan, report: SyncReport) -> list[_Change]:
    """Vectors that need no model: the cache's (by text hash), else the shipped sample's, which are
    cached too. Returns the changes still to embed."""
    cached = target.state.cached([c.text_hash for c in plan.changed], plan.fingerprint)
    shipped_fp, shipped = shipped_vectors() if len(cached) < len(plan.changed) else ("", {})
    from_sample: dict[str, bytes] = {}
    missing: list[_Change] = []
    for change in plan.changed:
        key = (change.row["arxiv_id"], change.text_hash)
        if change.text_hash in cached:
            report.vectors_reused += 1
        elif change.text_hash in from_sample:
            report.shipped_vectors_used += 1
        elif shipped_fp == plan.fingerprint and key in shipped:
            from_sample[change.text_hash] = shipped[key].astype(np.float16).tobytes()
            report.shipped_vectors_used += 1
        else:
            missing.append(change)
    if from_sample:
        target.state.cache_vectors([(t, plan.fingerprint, v) for t, v in from_sample.items()])
    return missing


def _embed(target: _Target, plan: _Plan, missing: list[_Change], bars: _Progress, report: SyncReport) -> None:
    """Embed what no stored vector covers, each batch committed to the cache as soon as it is done."""
    if not missing:
        return
    todo = list({c.text_hash: c for c in missing}.values())  # two papers with one text: embed it once
    embed_task = bars.task("embedding", len(todo))
    for start in range(0, len(todo), EMBED_BATCH):
        part = todo[start : start + EMBED_BATCH]
        vectors = plan.embedder.encode([paper_text(c.row["title"], c.row["abstract"] or "") for c in part],
                                       batch_size=EMBED_BATCH)
        target.state.cache_vectors([(c.text_hash, plan.fingerprint, v.astype(np.float16).tobytes())
                                    for c, v in zip(part, vectors, strict=True)])
        report.embedded += len(part)
        bars.advance(embed_task, len(part))


def _publish(target: _Target, plan: _Plan, bars: _Progress, report: SyncReport) -> None:
    """A new generation when anything changed: written aside, manifest last, then the pointer swap,
    then the state commit (see :mod:`.state` for why in that order)."""
    state, base = target.state, target.base
    report.generation = base.generation
    if plan.changed or plan.removed or target.fresh:
        generation = base.next_generation
        gen_dir = target.directory / f"{GENERATION_PREFIX}{generation}"
        shutil.rmtree(gen_dir, ignore_errors=True)  # a killed sync's leftover: never published
        with state.publishing():
            state.write_docs([c.state_row(plan.fingerprint) for c in plan.changed], plan.removed, target.fresh)
            papers = _write_generation(target, plan, gen_dir, bars)
            acronyms.publish(gen_dir, None if target.fresh else base.dir, [c.row for c in plan.changed], plan.removed)
            previous = None if target.fresh else (base.dir, base.manifest)
            manifests.write(gen_dir, manifests.build(gen_dir, generation=generation, papers=papers,
                                                     fingerprint=plan.fingerprint, lexical_format=LEXICAL_FORMAT,
                                                     previous=previous))
            _write_current(target.directory, {"generation": generation, "dir": gen_dir.name,
                                              "published_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())})
            state.set_meta("generation", str(generation))
            _set_progress_meta(state, plan)
        report.published, report.generation = True, generation
        state.prune_cache()
        _cleanup(target.directory, generation)
    else:
        _set_progress_meta(state, plan)
    report.added_or_changed = len(plan.changed)
    report.removed = len(plan.removed)
    report.indexed = state.count()


def _set_progress_meta(state: State, plan: _Plan) -> None:
    if plan.fingerprint:
        state.set_meta("fingerprint", plan.fingerprint)
    if plan.newest is not None:
        state.set_meta("watermark", plan.newest.isoformat())


def _write_generation(target: _Target, plan: _Plan, gen_dir: Path, bars: _Progress) -> int:
    """Every file of a generation but its manifest; returns how many papers it holds."""
    lexical_dir = gen_dir / LEXICAL_DIR
    if target.fresh:
        lexical = LexicalIndex.create(lexical_dir)
    else:
        _link_tree(target.base.dir / LEXICAL_DIR, lexical_dir)
        lexical = LexicalIndex.open(lexical_dir)
    if plan.changed or plan.removed:
        lex_task = bars.task("search index", len(plan.changed) + len(plan.removed))
        lexical.write([_lexical_doc(c.row) for c in plan.changed], plan.removed)
        bars.advance(lex_task, len(plan.changed) + len(plan.removed))
    pks, matrix, days, cats = target.state.matrix()
    VectorSet.write(gen_dir / VECTORS_DIR, pks, matrix, days, cats,
                    hnsw_from=None if target.fresh else target.base.dir / VECTORS_DIR)
    return int(len(pks))


# --------------------------------------------------------------------------- check


@dataclass
class IndexCheck:
    """``paperfeed index --check``: the files against their manifest (every byte), then the papers
    against the database. ``files`` is the same :class:`~.reader.IndexStatus` ``reader.status()`` gives."""

    index_dir: str
    files: IndexStatus
    db_visible: int = 0
    lexical_docs: int = 0
    vector_docs: int = 0
    missing: list[int] = field(default_factory=list)  # visible in the database, absent from the index
    extra: list[int] = field(default_factory=list)  # in the index, hidden or deleted in the database
    stale: list[int] = field(default_factory=list)  # changed in the database since they were indexed
    fingerprint_ok: bool = True
    problems: list[str] = field(default_factory=list)

    @property
    def damaged(self) -> bool:
        return not self.files.ok

    @property
    def drift(self) -> bool:
        """Anything wrong at all: damage, drift from the database, vectors from another model."""
        return bool(self.problems)


def verify_indexes() -> IndexCheck:
    """Check the published generation byte for byte, then compare it with the database."""
    directory = Path(settings.INDEX_DIR)
    base = _assess(directory, checksums=True)
    db_rows = {row["pk"]: row for row in Paper.objects.visible().values(*FIELDS)}
    manifest = base.manifest
    files = IndexStatus(base.generation or None, manifest.created if manifest else None,
                        manifest.papers if manifest else 0, not base.damage and base.meta is not None,
                        base.damage or ("" if base.meta else "no index has been built yet"),
                        checksummed=not base.damage and base.meta is not None)
    check = IndexCheck(str(directory), files, db_visible=len(db_rows))
    if not files.ok:
        check.problems.append(f"the index is damaged: {files.reason} (`paperfeed index` repairs it)"
                              if base.meta or base.damage else "no index has been built (run `paperfeed index`)")
        return check
    lexical = LexicalIndex.open(base.dir / LEXICAL_DIR)
    vectors = VectorSet.load(base.dir / VECTORS_DIR)
    lexical_pks = lexical.all_pks()
    check.lexical_docs, check.vector_docs = len(lexical_pks), len(vectors)
    lexical_set, vector_set, db_set = set(lexical_pks), set(vectors.pks.tolist()), set(db_rows)
    if len(lexical_set) != len(lexical_pks):
        check.problems.append(f"{len(lexical_pks) - len(lexical_set)} duplicate documents in the lexical index")
    check.missing = sorted((db_set - lexical_set) | (db_set - vector_set))
    check.extra = sorted((lexical_set - db_set) | (vector_set - db_set))
    _compare_state(directory, db_rows, manifest, check)
    for label, what in (("missing", "visible papers missing from the index"),
                        ("extra", "indexed papers hidden or deleted in the database"),
                        ("stale", "papers changed since they were indexed")):
        if getattr(check, label):
            check.problems.append(f"{len(getattr(check, label))} {what}")
    return check


def _compare_state(directory: Path, db_rows: dict, manifest: Manifest, check: IndexCheck) -> None:
    """Staleness from the state's doc hashes; the embedder of the published vectors."""
    state = State(directory / STATE_FILE)
    try:
        hashes = state.hashes()
    finally:
        state.close()
    check.stale = sorted(pk for pk, row in db_rows.items() if pk in hashes and hashes[pk][0] != doc_hash(row))
    try:
        current_fp = Embedder.default().fingerprint
    except Exception as error:  # the model cannot load: say so
        check.problems.append(f"embedder unavailable: {error}")
        return
    if manifest.fingerprint != current_fp:
        check.fingerprint_ok = False
        check.problems.append(f"vectors from another embedder: {manifest.fingerprint}")
