"""Picks with the search app's sentence vectors: the embeddings' score joins the tf-idf SVM's.

Real papers (tests/fixtures), real MiniLM vectors from the shipped model, a real search index
built from them as the demo builds its own (shipped vectors, then ``sync_indexes``).
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import sparse

from paperfeed.digests import recommender

from .helpers import real_papers, store


@pytest.fixture(scope="module")
def topics(fixtures):
    """Real cs.CL papers (the member's topic) and cs.CV papers from one week, with their vectors."""
    from paperfeed.search.embedder import Embedder, paper_text

    rows = real_papers(str(fixtures), "2026-05-04", "2026-05-10", ("cs.CV", "cs.CL"))
    cv = [r for r in rows if r["categories"][0] == "cs.CV" and "cs.CL" not in r["categories"]][:40]
    cl = [r for r in rows if r["categories"][0] == "cs.CL" and "cs.CV" not in r["categories"]][:40]
    embedder = Embedder.default()
    vectors = embedder.encode([paper_text(r["title"], r["abstract"]) for r in cl + cv])
    return cl, cv, vectors, embedder


def test_fusion_carries_the_embeddings_signal(topics):
    """With no text signal at all, the embeddings alone still rank the member's topic first."""
    cl, cv, vectors, _ = topics
    blank = sparse.csr_matrix((len(cl) + len(cv), 1), dtype=np.float32)  # tf-idf that tells nothing
    positive = list(range(15))
    # cs.CV first: a ranking that ignores the vectors (ties kept in order) would put them on top.
    candidates = list(range(len(cl), len(cl) + len(cv))) + list(range(15, len(cl)))
    new_cl = set(range(15, len(cl)))

    svm = recommender.score(blank, positive, candidates, method="svm", vectors=vectors)
    assert np.ptp(svm) == 0  # the SVM alone cannot tell the topics apart here
    fused = recommender.score(blank, positive, candidates, method="fusion", vectors=vectors)
    top = [candidates[i] for i in np.argsort(-fused, kind="stable")[:10]]
    assert sum(row in new_cl for row in top) >= 9, top  # 25 of 65 candidates are cs.CL
    # Without vectors, fusion is the SVM alone (the site without a search index).
    assert np.array_equal(recommender.score(blank, positive, candidates, method="fusion"), svm)


@pytest.mark.django_db
def test_hybrid_features_are_the_indexed_vectors_in_order(topics, data_dir, settings, tmp_path):
    """'hybrid' reads each paper's own vector from the search index; 'tfidf' reads none."""
    from paperfeed.digests.recommendations import features_for
    from paperfeed.papers.models import Paper
    from paperfeed.search import reader
    from paperfeed.search.sync import sync_indexes, text_hash, write_shipped_vectors

    cl, cv, vectors, embedder = topics
    rows = cl + cv
    write_shipped_vectors(tmp_path / "shipped", [r["id"] for r in rows],
                          [text_hash(r["title"], r["abstract"]) for r in rows], vectors, embedder.fingerprint)
    settings.SEARCH_SHIPPED_VECTORS = str(tmp_path / "shipped")
    reader.forget()
    try:
        store(rows)
        assert sync_indexes(progress=False).embedded == 0  # every vector came from the shipped file
        by_id = {p.arxiv_id: p for p in Paper.objects.all()}
        papers = [by_id[r["id"]] for r in reversed(rows)]  # any order: rows must follow the papers

        settings.RECOMMEND_FEATURES = "hybrid"
        text, scored, found = features_for(papers)
        assert text.shape[0] == scored.shape[0] == len(papers) and found.shape == (len(papers), vectors.shape[1])
        named = {c for r in rows for c in r["categories"]}
        assert scored.shape[1] == text.shape[1] + len(named)  # the categories beside the words
        cosines = np.sum(found * vectors[::-1], axis=1)
        assert cosines.min() > 0.99  # each row is that paper's vector (stored as float16)

        settings.RECOMMEND_FEATURES = "tfidf"
        assert features_for(papers)[2] is None
    finally:
        reader.forget()
