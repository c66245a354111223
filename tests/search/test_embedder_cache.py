"""Query vectors are remembered: the same words never run the model twice, and nobody can corrupt a shared one."""

from __future__ import annotations

import numpy as np
import pytest

from paperfeed.search import embedder as embedder_module
from paperfeed.search.embedder import Embedder


@pytest.fixture(scope="module")
def model() -> Embedder:
    return Embedder()  # not the process-wide one: these tests fill and evict its cache


def test_the_same_query_is_the_same_vector(model):
    first = model.encode_query("graph neural networks for molecules")
    again = model.encode_query("graph  neural networks\nfor molecules")  # the same text once normalised
    assert again is first
    fresh = model.encode_query("graph neural networks for molecules", cache=False)
    assert fresh is not first and np.allclose(fresh, first, atol=1e-6)


def test_a_cached_vector_is_read_only(model):
    vector = model.encode_query("diffusion models for video generation")
    with pytest.raises(ValueError):
        vector *= 2
    assert model.encode_query("diffusion models for video generation") @ vector == pytest.approx(1.0, abs=1e-5)


def test_the_cache_keeps_the_most_recent_queries_only(model, monkeypatch):
    monkeypatch.setattr(embedder_module, "QUERY_CACHE_SIZE", 3)
    first = model.encode_query("query one about proteins")
    for text in ("query two about galaxies", "query three about compilers", "query four about robots"):
        model.encode_query(text)
    assert len(model._query_cache) == 3
    assert model.encode_query("query one about proteins") is not first  # evicted, computed again
    assert model.encode_query("query four about robots") is model.encode_query("query four about robots")
