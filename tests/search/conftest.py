"""Fixtures for the search tests: real arXiv papers, real embeddings, real indexes.

``tests/search/data/arxiv_subset.jsonl.gz`` holds 240 real papers from
the shared data folder's ``arxiv_daily.jsonl.gz`` (the BM25 top 90 for "SSL", the top 90 for "gaussian
splatting slam", and every 100th of the first 6,000 papers), so topic groups are tested on
real data without needing the shared directory. Their vectors are embedded once per test
session by the shipped model and handed to sync as "shipped vectors" — the same code path
the demo's bundled sample takes — so each test builds its index in well under a second.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import numpy as np
import pytest

from tests.factories import corpus_record, store

SUBSET = Path(__file__).parent / "data" / "arxiv_subset.jsonl.gz"


@pytest.fixture(scope="session")
def subset() -> list[dict]:
    with gzip.open(SUBSET, "rt", encoding="utf-8") as f:
        return [json.loads(line) for line in f]


@pytest.fixture(scope="session")
def embedder():
    from paperfeed.search.embedder import Embedder

    return Embedder.default()


@pytest.fixture(scope="session")
def subset_vectors(subset, embedder) -> np.ndarray:
    from paperfeed.search.embedder import paper_text

    return embedder.encode([paper_text(p["title"], p["abstract"]) for p in subset], batch_size=32)


@pytest.fixture(scope="session")
def shipped_subset(subset, subset_vectors, embedder, tmp_path_factory) -> Path:
    """The subset's vectors written the way scripts/build_sample_vectors.py writes the sample's."""
    from paperfeed.search.sync import text_hash, write_shipped_vectors

    directory = tmp_path_factory.mktemp("shipped")
    write_shipped_vectors(directory, [p["id"] for p in subset], [text_hash(p["title"], p["abstract"]) for p in subset],
                          subset_vectors, embedder.fingerprint)
    return directory


@pytest.fixture
def index_env(data_dir, settings, shipped_subset):
    """A private INDEX_DIR, shipped vectors from the subset, and a clean reader cache."""
    from paperfeed.search import reader

    settings.SEARCH_SHIPPED_VECTORS = str(shipped_subset)
    reader.forget()
    yield data_dir
    reader.forget()


@pytest.fixture
def load_subset(subset, index_env):
    """Store the subset papers and build the index; returns the Paper rows by arXiv id."""

    def load(limit: int | None = None) -> dict:
        from paperfeed.papers.models import Paper
        from paperfeed.search.sync import sync_indexes

        store(corpus_record(p) for p in subset[:limit])
        report = sync_indexes(progress=False)
        assert report.embedded == 0, report  # everything came from the shipped vectors
        return {p.arxiv_id: p for p in Paper.objects.all()}

    return load
