"""Embeddings of keyed texts, cached in one ``.npz`` beside a benchmark and saved as they come.

Why: embedding thousands of abstracts takes many minutes on two cores; a benchmark run that is
stopped keeps what it embedded and the next run embeds only the rest. The file holds ``ids``
(the keys, sorted) and ``vectors`` (float32 rows in that order), and is named after the
embedder's whole fingerprint (:func:`cache_path`), so other weights never read old vectors.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

import numpy as np


def cache_path(directory: Path, embedder) -> Path:
    """The cache file of ``embedder``'s vectors in ``directory`` (its fingerprint names weights, length, pooling)."""
    return directory / f"vectors_{hashlib.sha256(embedder.fingerprint.encode()).hexdigest()[:16]}.npz"


def cached_vectors(path: Path, texts: dict[str, str], embedder, *, chunk: int, say: Callable[[str], None],
                   progress: bool = False) -> dict[str, np.ndarray]:
    """The vector of every text by key; keys not in ``path`` yet are embedded ``chunk`` at a time and saved."""
    path.parent.mkdir(parents=True, exist_ok=True)
    cached: dict[str, np.ndarray] = {}
    if path.exists():
        with np.load(path) as stored:
            cached = dict(zip(stored["ids"].tolist(), stored["vectors"], strict=True))
    todo = sorted(key for key in texts if key not in cached)
    for start in range(0, len(todo), chunk):
        part = todo[start : start + chunk]
        vectors = embedder.encode([texts[key] for key in part], batch_size=64, progress=progress)
        cached.update(zip(part, vectors, strict=True))
        ids = sorted(cached)
        np.savez(path, ids=np.array(ids), vectors=np.vstack([cached[i] for i in ids]).astype(np.float32))
        say(f"embedded {start + len(part)}/{len(todo)}")
    return {key: np.asarray(cached[key], dtype=np.float32) for key in texts}
