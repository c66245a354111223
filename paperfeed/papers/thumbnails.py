"""Where first-page thumbnails live: one storage interface, and the data-dir storage behind it.

The worker writes a thumbnail once per paper (ingest/thumbnails.py) and records its key on
``Paper.thumbnail``; the web door reads it back with a validator pair (ETag and modification
time) so browsers revalidate cheaply. Callers only see :class:`ThumbnailStorage`, so object
storage can replace the local directory later without touching them.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from django.conf import settings

CONTENT_TYPE = "image/webp"
SUFFIX = ".webp"


@dataclass(frozen=True)
class StoredThumbnail:
    """A stored thumbnail's bytes with the validators HTTP caching needs."""

    data: bytes
    content_type: str
    modified: datetime
    etag: str


class ThumbnailStorage(Protocol):
    def save(self, key: str, data: bytes) -> None: ...

    def load(self, key: str) -> StoredThumbnail | None: ...


def key_for(arxiv_id: str) -> str:
    """The storage key of a paper's thumbnail: grouped by id prefix, old-style slashes made safe."""
    flat = arxiv_id.replace("/", "_")
    return f"{flat.split('.', 1)[0][:8]}/{flat}{SUFFIX}"


class LocalThumbnails:
    """Thumbnails as files under ``settings.THUMBNAIL_DIR``, each written whole (temp file + rename)."""

    def __init__(self, root: Path | str | None = None):
        self.root = Path(root or settings.THUMBNAIL_DIR)

    def _path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if self.root.resolve() not in path.parents:
            raise ValueError(f"thumbnail key outside the thumbnail directory: {key!r}")
        return path

    def save(self, key: str, data: bytes) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, prefix=".tmp-", delete=False) as handle:
            handle.write(data)
        os.replace(handle.name, path)

    def load(self, key: str) -> StoredThumbnail | None:
        try:
            path = self._path(key)
            data = path.read_bytes()
            modified = datetime.fromtimestamp(path.stat().st_mtime, tz=UTC).replace(microsecond=0)
        except (OSError, ValueError):
            return None
        etag = hashlib.blake2b(data, digest_size=12).hexdigest()
        return StoredThumbnail(data, CONTENT_TYPE, modified, etag)

def storage() -> ThumbnailStorage:
    """The configured storage (the data dir; the one place to plug object storage in)."""
    return LocalThumbnails()
