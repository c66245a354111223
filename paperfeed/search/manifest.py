"""The manifest of one index generation: every file in it, with its size and checksum.

Sync writes ``gen-<n>/manifest.json`` last, after every other file of the generation, and only
then points ``CURRENT.json`` at the generation; a generation is never changed afterwards. So the
manifest is the promise that the files are whole, and anything that does not match it is damage::

    {"format": 2, "generation": 7, "created": "2026-12-01T21:40:00Z", "papers": 74728,
     "fingerprint": "<embedder>", "lexical_format": 2,
     "files": {"lexical/meta.json": {"size": 1234, "blake2b": "<32 hex>"}, "vectors/pks.npy": {...}, ...}}

Two checks, because they cost very different amounts:

- *sizes* (:func:`size_problems`): one ``stat`` per file, microseconds; readers run it on every
  query, so a deleted or truncated file is noticed at once;
- *checksums* (:func:`checksum_problems`): blake2b over every byte, ~0.1 s per 60 MB (the vectors
  of 75k papers); readers run it once per generation in the background, ``paperfeed index --check``
  and every sync run it in full. Files a generation shares with the one before it (hard links to
  the same immutable tantivy segments) keep their recorded checksum, so a sync hashes only what
  it wrote (:func:`build`).

Tantivy's lock files are not content (a reader may create one) and are left out.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

MANIFEST_FILE = "manifest.json"
FORMAT_VERSION = 2  # 1: lexical-<n>/ + vectors-<n>/ side by side, no manifest
IGNORED = frozenset({".tantivy-meta.lock", ".tantivy-writer.lock"})
_CHUNK = 1 << 20


class ManifestError(Exception):
    """The manifest is missing or unreadable; ``str()`` says which, for a person."""


@dataclass(frozen=True)
class FileEntry:
    size: int
    blake2b: str


@dataclass(frozen=True)
class Manifest:
    generation: int
    papers: int
    fingerprint: str
    lexical_format: int  # lexical.FORMAT: how documents are analysed and keyed; another one means rebuild
    files: dict[str, FileEntry]
    format: int = FORMAT_VERSION
    created: str = field(default_factory=lambda: time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()))

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=1, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> Manifest:
        try:
            raw = json.loads(text)
            files = {str(name): FileEntry(int(e["size"]), str(e["blake2b"])) for name, e in raw["files"].items()}
            return cls(generation=int(raw["generation"]), papers=int(raw["papers"]),
                       fingerprint=str(raw["fingerprint"]), lexical_format=int(raw["lexical_format"]),
                       files=files, format=int(raw["format"]), created=str(raw["created"]))
        except (ValueError, TypeError, KeyError, AttributeError) as error:
            raise ManifestError(f"the manifest is garbled ({type(error).__name__}: {error})") from error


def checksum(path: Path) -> str:
    """blake2b-128 of a file, streamed (measured in ``benchmarks/index_manifest.py``)."""
    digest = hashlib.blake2b(digest_size=16)
    with open(path, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def content_files(gen_dir: Path) -> list[str]:
    """Every file of a generation but the manifest and lock files, as sorted relative paths."""
    names = []
    for root, _dirs, files in os.walk(gen_dir):
        for name in files:
            rel = os.path.relpath(os.path.join(root, name), gen_dir)
            if name not in IGNORED and rel != MANIFEST_FILE:
                names.append(rel)
    return sorted(names)


def build(gen_dir: Path, *, generation: int, papers: int, fingerprint: str, lexical_format: int,
          previous: tuple[Path, Manifest] | None = None) -> Manifest:
    """Describe the files now in ``gen_dir``; a hard link into ``previous`` reuses its checksum."""
    files: dict[str, FileEntry] = {}
    for rel in content_files(gen_dir):
        path = gen_dir / rel
        size = path.stat().st_size
        entry = previous[1].files.get(rel) if previous else None
        shared = entry is not None and entry.size == size and _same_file(path, previous[0] / rel)
        files[rel] = entry if shared else FileEntry(size, checksum(path))
    return Manifest(generation=generation, papers=papers, fingerprint=fingerprint, lexical_format=lexical_format,
                    files=files)


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def write(gen_dir: Path, manifest: Manifest) -> None:
    """Write aside, then rename: a manifest is whole or absent."""
    tmp = gen_dir / f".{MANIFEST_FILE}.{os.getpid()}.tmp"
    tmp.write_text(manifest.to_json(), encoding="utf-8")
    os.replace(tmp, gen_dir / MANIFEST_FILE)


def load(gen_dir: Path) -> Manifest:
    try:
        text = (gen_dir / MANIFEST_FILE).read_text(encoding="utf-8")
    except FileNotFoundError as error:
        raise ManifestError(f"{gen_dir.name}/{MANIFEST_FILE} is missing") from error
    except (OSError, UnicodeDecodeError) as error:
        raise ManifestError(f"{gen_dir.name}/{MANIFEST_FILE} cannot be read ({error})") from error
    return Manifest.from_json(text)


def size_problems(gen_dir: Path, manifest: Manifest) -> list[str]:
    """Files missing or of another size than the manifest says: one ``stat`` each."""
    return [problem for rel, entry in manifest.files.items() if (problem := _size_problem(gen_dir, rel, entry))]


def checksum_problems(gen_dir: Path, manifest: Manifest) -> list[str]:
    """Sizes, then every byte: files whose content is not what was written."""
    problems = []
    for rel, entry in manifest.files.items():
        problem = _size_problem(gen_dir, rel, entry)
        if not problem:
            try:
                same = checksum(gen_dir / rel) == entry.blake2b
            except OSError:
                same = False
            problem = "" if same else f"{gen_dir.name}/{rel} does not match its checksum"
        if problem:
            problems.append(problem)
    return problems


def _size_problem(gen_dir: Path, rel: str, entry: FileEntry) -> str:
    try:
        size = os.stat(gen_dir / rel).st_size
    except OSError:
        return f"{gen_dir.name}/{rel} is missing"
    return f"{gen_dir.name}/{rel} has {size} bytes, the manifest says {entry.size}" if size != entry.size else ""
