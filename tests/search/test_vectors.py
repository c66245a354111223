"""The vector store: exact scan while small, HNSW beyond the threshold, filters inside both."""

from __future__ import annotations

import numpy as np
import pytest

from paperfeed.search.vectors import VectorSet


@pytest.fixture
def unit_vectors():
    rng = np.random.default_rng(3)
    x = rng.normal(size=(3000, 384)).astype(np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def publish(tmp_path, vectors, name="v"):
    n = len(vectors)
    pks = np.arange(1, n + 1, dtype=np.int64) * 7  # not row numbers
    days = np.where(np.arange(n) % 2 == 0, 20250101, 20260101).astype(np.int32)
    cats = [["cs.LG"] if i % 3 == 0 else ["cs.CV", "cs.AI"] for i in range(n)]
    order = np.random.default_rng(0).permutation(n)  # written in any order, stored sorted by pk
    VectorSet.write(tmp_path / name, pks[order], vectors[order], days[order], [cats[i] for i in order])
    return VectorSet.load(tmp_path / name), pks


def test_exact_and_hnsw_agree_and_filters_hold(tmp_path, unit_vectors, settings):
    exact, pks = publish(tmp_path, unit_vectors, "exact")
    settings.SEARCH_EXACT_MAX = 1000
    graph, _ = publish(tmp_path, unit_vectors, "graph")
    assert exact.hnsw is None and graph.hnsw is not None
    query = unit_vectors[42] + 0.3 * unit_vectors[7]
    query /= np.linalg.norm(query)
    top_exact = exact.search(query, 10)
    top_graph = graph.search(query, 10)
    assert top_exact[0][0] == pks[42] and top_graph[0][0] == pks[42]
    assert len({pk for pk, _ in top_exact} & {pk for pk, _ in top_graph}) >= 9
    for vs in (exact, graph):
        mask = vs.mask(categories=("cs.lg",), after=20260101)
        hits = vs.search(query, 20, mask)
        rows = [int(pk // 7) - 1 for pk, _ in hits]
        assert len(hits) == 20 and all(r % 3 == 0 and r % 2 == 1 for r in rows)
        if vs.hnsw is not None:  # broad filters take the oversampled graph path
            broad = vs.mask(after=20260101)
            graph_hits = vs._graph(query, 10, broad)
            assert len(graph_hits) == 10 and all((int(pk // 7) - 1) % 2 == 1 for pk, _ in graph_hits)
        only = vs.mask(pks=[pks[7], pks[9]])
        assert [pk for pk, _ in vs.search(query, 5, only)] == [pks[7], pks[9]]



@pytest.mark.parametrize("share", [0.05, 0.5])  # a gather of the allowed rows / one product with every row
def test_a_filter_that_eats_the_neighbourhood_is_answered_exactly(tmp_path, unit_vectors, settings, share,
                                                                  monkeypatch):
    """The graph's oversampled neighbours hold too few allowed rows: the answer is the exact scan's."""
    settings.SEARCH_EXACT_MAX = 1000
    graph, pks = publish(tmp_path, unit_vectors, "graph")
    scans = []
    exact_masked = VectorSet._exact_masked
    monkeypatch.setattr(VectorSet, "_exact_masked", lambda self, *args: scans.append(args) or exact_masked(self, *args))
    query = unit_vectors[42]
    far = np.argsort(unit_vectors @ query)[: int(share * len(pks))]  # the rows least like the query
    mask = graph.mask(pks=pks[far].tolist())
    hits = graph._graph(query, 30, mask)
    assert len(scans) == 1
    scores = graph.scores_for(query, pks[far].tolist())  # the stored (float16-rounded) rows
    expected = pks[far][np.argsort(-scores, kind="stable")][:30].tolist()
    assert [pk for pk, _ in hits] == expected
    np.testing.assert_allclose([s for _, s in hits], np.sort(scores)[::-1][:30], rtol=0, atol=1e-6)


@pytest.mark.parametrize("float16", [False, True])
def test_a_memory_mapped_set_walks_further_before_scanning_exactly(tmp_path, unit_vectors, settings, monkeypatch,
                                                                   float16):
    """A float16 set (past FLOAT32_MAX) whose filter ate the oversampled neighbourhood walks the graph
    GRAPH_RETRY times as far before an exact scan of every allowed row; a float32 set scans at once."""
    from paperfeed.search import vectors

    settings.SEARCH_EXACT_MAX = 1000
    _, pks = publish(tmp_path, unit_vectors, "graph")
    if float16:
        monkeypatch.setattr(vectors, "FLOAT32_MAX", 1000)
    vs = VectorSet.load(tmp_path / "graph")
    assert (vs.matrix.dtype == np.float16) == float16
    walks, scans = [], []
    search, exact_masked = vs.hnsw.search, VectorSet._exact_masked
    monkeypatch.setattr(vs.hnsw, "search", lambda q, count, **kw: walks.append(count) or search(q, count, **kw))
    monkeypatch.setattr(VectorSet, "_exact_masked", lambda self, *args: scans.append(args) or exact_masked(self, *args))
    query = unit_vectors[42]
    allowed = np.argsort(-(unit_vectors @ query), kind="stable")[200:1700]  # half the rows, not the 200 nearest
    hits = vs._graph(query, 30, vs.mask(pks=pks[allowed].tolist()))
    assert walks == ([walks[0], walks[0] * vectors.GRAPH_RETRY] if float16 else [walks[0]])
    assert len(scans) == (0 if float16 else 1)  # the wider walk found enough allowed rows
    expected = pks[allowed[:30]].tolist()  # the 30 allowed rows most like the query
    assert len({pk for pk, _ in hits} & set(expected)) >= 28
    assert [s for _, s in hits] == sorted((s for _, s in hits), reverse=True)


def test_the_int8_graph_selects_twice_the_rows_and_the_stored_rows_rank_them(tmp_path, unit_vectors, settings,
                                                                               monkeypatch):
    """The graph holds int8 vectors and is asked for GRAPH_SELECT x k neighbours; the exact cosines of
    the stored rows pick the k, so the answer is nearly the exact scan's top k."""
    from paperfeed.search import vectors

    settings.SEARCH_EXACT_MAX = 1000
    graph, pks = publish(tmp_path, unit_vectors, "graph")
    assert graph.hnsw.dtype.name.lower() == "i8"
    walks = []
    search = graph.hnsw.search
    monkeypatch.setattr(graph.hnsw, "search", lambda q, count, **kw: walks.append(count) or search(q, count, **kw))
    rng = np.random.default_rng(11)
    overlap = []
    for a, b in rng.integers(0, len(pks), size=(20, 2)):
        query = unit_vectors[a] + 0.6 * unit_vectors[b]
        query /= np.linalg.norm(query)
        hits = graph.search(query, 30)
        exact = pks[np.argsort(-(graph.matrix @ query), kind="stable")[:30]]
        overlap.append(len({pk for pk, _ in hits} & set(exact.tolist())) / 30)
        np.testing.assert_allclose([s for _, s in hits], graph.scores_for(query, [pk for pk, _ in hits]), atol=1e-6)
    assert walks == [30 * vectors.GRAPH_SELECT] * 20
    assert np.mean(overlap) >= 0.95


def test_vectors_and_scores_for_pks(tmp_path, unit_vectors):
    vs, pks = publish(tmp_path, unit_vectors[:50])
    found = vs.vectors_for([int(pks[3]), 999_999])
    assert list(found) == [int(pks[3])]
    assert float(found[int(pks[3])] @ unit_vectors[3]) > 0.999
    scores = vs.scores_for(unit_vectors[3], [int(pks[3]), 999_999])
    assert scores[0] > 0.999 and scores[1] == -1.0
    assert vs.search(unit_vectors[3], 5, vs.mask(categories=("nope.XX",))) == []


def test_graph_hits_carry_the_exact_cosines(tmp_path, unit_vectors, settings, monkeypatch):
    settings.SEARCH_EXACT_MAX = 1000
    graph, pks = publish(tmp_path, unit_vectors, "graph")
    assert graph.hnsw is not None and graph.matrix.dtype == np.float32  # small enough to hold as float32
    query = unit_vectors[11] + 0.5 * unit_vectors[12]
    query /= np.linalg.norm(query)
    hits = graph.search(query, 50)
    exact = graph.scores_for(query, [pk for pk, _ in hits])
    # The stored rows' cosines (float32), not the graph's int8 distances.
    np.testing.assert_allclose([s for _, s in hits], exact, rtol=0, atol=1e-6)
    assert [s for _, s in hits] == sorted((s for _, s in hits), reverse=True)
    monkeypatch.setattr("paperfeed.search.vectors.FLOAT32_MAX", 1000)
    mapped = VectorSet.load(tmp_path / "graph")  # above the bound: a float16 memory map, same answers
    assert mapped.matrix.dtype == np.float16
    assert [pk for pk, _ in mapped.search(query, 50)] == [pk for pk, _ in hits]


def test_a_loaded_graph_searches_with_the_measured_expansion(tmp_path, unit_vectors, settings):
    from paperfeed.search.vectors import HnswParams

    settings.SEARCH_EXACT_MAX = 1000
    graph, _ = publish(tmp_path, unit_vectors, "graph")
    assert graph.hnsw.expansion_search == HnswParams.expansion_search  # usearch restores 64


def test_a_new_generation_updates_the_previous_graph_when_little_changed(tmp_path, unit_vectors, settings):
    from paperfeed.search.vectors import HNSW_FILE, HnswParams, updated_hnsw

    settings.SEARCH_EXACT_MAX = 1000
    first, pks = publish(tmp_path, unit_vectors, "gen-1")
    rng = np.random.default_rng(5)
    moved = rng.normal(size=384).astype(np.float32)
    vectors = unit_vectors.copy()
    vectors[10] = moved / np.linalg.norm(moved)  # paper 10 was revised: a new vector
    keep = np.ones(len(pks), dtype=bool)
    keep[20] = False  # paper 20 was removed
    new_pks = np.append(pks[keep], pks[-1] + 7)  # and one paper is new
    new_vectors = np.vstack([vectors[keep], unit_vectors[20]])
    n = len(new_pks)
    graph = updated_hnsw(tmp_path / "gen-1", new_pks, new_vectors.astype(np.float16))
    assert graph is not None
    assert sorted(int(k) for k in graph.keys) == sorted(int(k) for k in new_pks)
    VectorSet.write(tmp_path / "gen-2", new_pks, new_vectors, np.zeros(n, dtype=np.int32), [[] for _ in range(n)],
                    hnsw_from=tmp_path / "gen-1")
    second = VectorSet.load(tmp_path / "gen-2")
    assert second.search(vectors[10], 1)[0][0] == pks[10]  # found by its new vector
    assert second.search(unit_vectors[20], 1)[0][0] == new_pks[-1]  # the new paper, not the removed one
    assert second.search(unit_vectors[42], 1)[0][0] == pks[42]
    assert (tmp_path / "gen-1" / HNSW_FILE).stat().st_size > 0 and first.search(unit_vectors[20], 1)[0][0] == pks[20]
    # A sync that changes a large share of the set builds the graph afresh, and so do other settings.
    assert updated_hnsw(tmp_path / "gen-1", pks, (-unit_vectors).astype(np.float16)) is None
    other = HnswParams(connectivity=16)
    assert updated_hnsw(tmp_path / "gen-1", new_pks, new_vectors.astype(np.float16), other) is None
    # A float16 graph, as built before the graph held int8, is not updated either: the next sync builds int8.
    VectorSet.write(tmp_path / "f16", pks, unit_vectors, np.zeros(len(pks), dtype=np.int32), [[] for _ in pks],
                    hnsw_params=HnswParams(dtype="f16"))
    assert VectorSet.load(tmp_path / "f16").hnsw.dtype.name.lower() == "f16"
    assert updated_hnsw(tmp_path / "f16", new_pks, new_vectors.astype(np.float16)) is None
