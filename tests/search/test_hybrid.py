"""Fusion normalises each retriever's scores per query, so no retriever's scale decides the ranking.

Pools are built by hand (two candidate lists with their scores) for the scale properties,
and by :func:`gather` over a real tantivy index and real vectors for the exact scoring of
candidates that only one retriever returned.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from paperfeed.search.hybrid import FusionParams, Pool, fuse, fuse_scores, gather
from paperfeed.search.lexical import LexicalDoc, LexicalIndex
from paperfeed.search.vectors import VectorSet

NORMALISED = [FusionParams(method="zscore"), FusionParams(method="minmax"), FusionParams(method="rrf")]

# Two retrievers that disagree: BM25 likes 1, 2, 3; the dense side likes 4, 2, 5.
LEXICAL = [(1, 14.2), (2, 11.0), (3, 9.7), (6, 3.1)]
DENSE = [(4, 0.71), (2, 0.69), (5, 0.66), (3, 0.52)]
BM25_OF_DENSE_ONLY = {4: 2.0, 5: 0.0}
COSINE_OF_LEXICAL_ONLY = {1: 0.48, 6: 0.40}


def pool(lexical_scale: float = 1.0, dense_scale: float = 1.0, shift: float = 0.0) -> Pool:
    lexical = [(pk, s * lexical_scale + shift) for pk, s in LEXICAL]
    dense = [(pk, s * dense_scale) for pk, s in DENSE]
    bm25 = {**dict(lexical), **{pk: s * lexical_scale + shift for pk, s in BM25_OF_DENSE_ONLY.items()}}
    cosine = {**dict(dense), **{pk: s * dense_scale for pk, s in COSINE_OF_LEXICAL_ONLY.items()}}
    return Pool(lexical, dense, bm25, cosine)


def order(p: Pool, fusion: FusionParams) -> list[int]:
    return [c.pk for c in fuse(p, fusion)]


@pytest.mark.parametrize("fusion", NORMALISED, ids=lambda f: f.method)
@pytest.mark.parametrize("scales", [(1000.0, 1.0), (1.0, 1000.0), (0.001, 1.0), (1.0, 0.01)])
def test_scaling_one_retrievers_scores_does_not_change_the_ranking(fusion, scales):
    assert order(pool(*scales), fusion) == order(pool(), fusion)


@pytest.mark.parametrize("fusion", NORMALISED, ids=lambda f: f.method)
def test_shifting_bm25_does_not_change_the_ranking(fusion):
    assert order(pool(shift=250.0), fusion) == order(pool(), fusion)


def test_the_raw_linear_baseline_is_not_scale_invariant():
    """What the normalisation buys: raw cosines next to BM25 / best BM25 change the order when scaled."""
    linear = FusionParams(method="linear")
    assert order(pool(dense_scale=1000.0), linear) != order(pool(), linear)


def test_both_retrievers_count_equally_by_default():
    ranked = order(pool(), FusionParams())
    # 2 is second on both sides, so it beats each side's favourite that the other side ranks low.
    assert ranked[0] == 2
    assert set(ranked[1:3]) == {1, 4}
    assert ranked.index(6) > ranked.index(3)  # weak on both sides


def test_lexical_weight_moves_the_ranking_towards_that_retriever():
    lexical_heavy = order(pool(), FusionParams(lexical_weight=0.95))
    dense_heavy = order(pool(), FusionParams(lexical_weight=0.05))
    assert lexical_heavy[0] == 1 and dense_heavy[0] == 4


def test_a_candidate_without_a_score_is_not_rewarded_for_missing_it():
    lexical = np.array([10.0, 5.0, np.nan])
    dense = np.array([0.2, 0.3, 0.9])
    # The third has the best cosine but no BM25: it counts as the lowest BM25, not as 0 or NaN.
    fused = fuse_scores(lexical, dense, FusionParams())
    assert np.isfinite(fused).all()
    assert fused[2] == pytest.approx(0.5 * ((5.0 - np.mean([10, 5, 5])) / np.std([10, 5, 5]))
                                     + 0.5 * ((0.9 - dense.mean()) / dense.std()))


def test_one_retriever_alone_ranks_by_its_own_scores():
    only_lexical = Pool([(1, 3.0), (2, 9.0), (3, 5.0)], [], {1: 3.0, 2: 9.0, 3: 5.0}, {})
    assert order(only_lexical, FusionParams()) == [2, 3, 1]
    only_dense = Pool([], [(7, 0.9), (8, 0.4)], {}, {7: 0.9, 8: 0.4})
    assert order(only_dense, FusionParams()) == [7, 8]
    assert fuse(Pool([], []), FusionParams()) == []


def test_rrf_reads_ranks_not_scores():
    p = pool()
    flattened = replace(p, lexical=[(pk, 1.0) for pk, _ in p.lexical], bm25={pk: 1.0 for pk in p.bm25})
    assert order(flattened, FusionParams(method="rrf")) == order(p, FusionParams(method="rrf"))


def test_unknown_method_is_refused():
    with pytest.raises(ValueError, match="unknown fusion method"):
        fuse(pool(), FusionParams(method="weighted-vibes"))


# --------------------------------------------------------------------------- gather, on a real index

DOCS = [
    (1, "Graph neural networks for molecules", "Message passing networks predict molecular properties."),
    (2, "Molecular property prediction with graph transformers", "Attention over atoms and bonds."),
    (3, "Protein folding with deep learning", "Predicting structures of proteins from sequences."),
    (4, "Chemistry meets message passing", "Learning on molecular graphs for drug discovery."),
    (5, "Telescope observations of distant galaxies", "We observe galaxies at high redshift."),
]


@pytest.fixture
def tiny(tmp_path):
    lexical = LexicalIndex.create(tmp_path / "lexical")
    lexical.write(LexicalDoc(pk, title, abstract) for pk, title, abstract in DOCS)
    rng = np.random.default_rng(3)
    base = rng.normal(size=384).astype(np.float32)
    # Dense side: 3 and 1 are closest to the query direction, then the rest.
    weights = {1: 0.8, 2: 0.3, 3: 0.9, 4: 0.1, 5: 0.2}
    matrix = np.stack([weights[pk] * base + rng.normal(size=384).astype(np.float32) * 0.4 for pk, _, _ in DOCS])
    matrix /= np.linalg.norm(matrix, axis=1, keepdims=True)
    vectors = VectorSet(np.array([pk for pk, _, _ in DOCS]), matrix)
    return lexical, vectors, base / np.linalg.norm(base)


def test_gather_scores_every_candidate_with_both_signals(tiny):
    lexical, vectors, query = tiny
    p = gather(lexical, vectors, ["molecular", "graphs"], [], query, depth=2)
    assert [pk for pk, _ in p.lexical] == [4, 2] and [pk for pk, _ in p.dense] == [3, 1]
    assert set(p.bm25) == set(p.cosine) == {1, 2, 3, 4}
    # Dense-only candidates: 1 mentions "molecular" below the lexical cut, 3 (proteins) holds no query word.
    assert p.bm25[1] > 0 and p.bm25[3] == 0.0
    # 1, 2 and 4 mention molecular or graphs; the total is counted up to the depth (only whether any
    # document matched is read, and a full count visits every match).
    assert p.lexical_total == 2
    assert gather(lexical, vectors, ["molecular", "graphs"], [], query, depth=5).lexical_total == 3
    # Lexical-only candidates got their exact cosine.
    for pk in (4, 2):
        assert p.cosine[pk] == pytest.approx(float(vectors.vectors_for([pk])[pk] @ query), abs=1e-5)


def test_the_bm25_of_a_candidate_below_the_cut_is_what_a_deeper_search_gives(tiny):
    lexical, vectors, query = tiny
    deep = gather(lexical, vectors, ["molecular", "graphs"], [], query, depth=10)
    shallow = gather(lexical, vectors, ["molecular", "graphs"], [], query, depth=2)
    assert 1 not in dict(shallow.lexical)
    for pk, score in shallow.bm25.items():
        assert score == pytest.approx(deep.bm25.get(pk, 0.0), rel=1e-5)
