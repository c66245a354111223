"""Similar papers' word-pair and category evidence: pairs counted exactly, link words ignored, categories break ties."""

from __future__ import annotations

import math
from collections import Counter

import pytest

from paperfeed.search.lexical import LexicalDoc, LexicalIndex
from paperfeed.search.similar import (
    DEFAULT_WEIGHTS,
    Described,
    describe_papers,
    distinctive_terms,
    rank_similar,
    similar_papers,
)
from paperfeed.search.sync import sync_indexes
from paperfeed.search.word_pairs import Statistics, bag, scores, without_links
from tests.factories import corpus_record, make_paper, store

QUERY = ("Visual odometry for legged robots on stairs",
         "We estimate visual odometry on a quadruped climbing stairs, fusing leg kinematics with a camera.")
# The same words as each other; only the first holds "visual odometry" as a pair.
PAIR = ("Legged robots climbing stairs", "Visual odometry from a camera fused with kinematics of each leg.")
APART = ("Legged robots climbing stairs", "Odometry from a visual camera fused with kinematics of each leg.")


LINK = " https://github.com/odolab/stairs-vo github.com/odolab/vo vo@odolab.org"  # a group's links


@pytest.fixture
def index(tmp_path, subset):
    """A real tantivy index of the subset's papers, the three above and two more papers with the group's links."""
    lexical = LexicalIndex.create(tmp_path / "lexical")
    docs = [LexicalDoc(pk, title, abstract) for pk, (title, abstract) in enumerate((QUERY, PAIR, APART), start=1)]
    docs += [LexicalDoc(pk, "Stair climbing", f"A staircase benchmark.{LINK}") for pk in (4, 5)]
    docs += [LexicalDoc(100 + i, p["title"], p["abstract"]) for i, p in enumerate(subset)]
    lexical.write(docs)
    return lexical


def test_a_shared_word_pair_outranks_the_same_words_apart(index):
    pair, apart = bag(*PAIR), bag(*APART)
    assert pair.words == apart.words  # the words alone cannot tell them apart
    assert ("visual", "odometri") in pair.pairs and ("visual", "odometri") not in apart.pairs
    with_pair, without_pair = scores(index, bag(*QUERY), [pair, apart])
    assert with_pair > without_pair > 0


def test_pairs_span_stopwords_but_not_numbers_links_or_the_title_end():
    found = bag("Sparse mixture-of-experts", "State of the art in 3 steps: https://x.org/moe experts rule.")
    assert set(found.pairs) == {("spars", "mixtur"), ("mixtur", "of", "expert"), ("state", "of", "the", "art"),
                                ("expert", "rule")}
    assert ("expert", "state") not in found.pairs and ("step", "expert") not in found.pairs


def test_a_candidates_pairs_are_those_the_query_holds(subset):
    """The cheap candidate bag finds exactly the query's pairs among all the candidate's pairs."""
    query = bag(subset[0]["title"], subset[0]["abstract"])
    shared = 0
    for p in subset[:200]:
        full, fast = bag(p["title"], p["abstract"]), bag(p["title"], p["abstract"], query)
        assert fast.words == full.words
        assert fast.pairs == Counter({pair: n for pair, n in full.pairs.items() if pair in query.pairs})
        shared += len(fast.pairs)
    assert shared > len(query.pairs)  # the papers do share pairs with it (the query itself holds them all)


def test_a_pair_weighs_by_the_papers_holding_it_as_a_phrase(index, subset):
    stats = Statistics(index)
    # Counted in the corpus itself, the way the index splits words (a phrase in title or abstract).
    holders = sum(1 for title, abstract in [QUERY, PAIR, APART] + [(p["title"], p["abstract"]) for p in subset]
                  if ("visual", "odometri") in bag(title, "").pairs or ("visual", "odometri") in bag("", abstract).pairs)
    assert holders >= 2
    expected = 1.0 + math.log((1 + stats.docs) / (1 + holders))
    assert stats.pair_idf(("visual", "odometri")) == pytest.approx(expected)
    # A rarer pair weighs more than a commoner one.
    legged_robots, neural_networks = (next(iter(bag(text, "").pairs)) for text in ("legged robots", "neural networks"))
    assert stats.pair_idf(legged_robots) > stats.pair_idf(neural_networks)


def test_link_words_do_not_count(index):
    assert without_links("see https://x.org/a and recall@10 or a@b.org") == "see  0  and recall@10 or  0 "
    plain, linked = bag(*PAIR), bag(PAIR[0], PAIR[1] + LINK)
    assert linked == plain
    # Two other papers hold the group's account: read as words, it would be among the rarest terms.
    assert Statistics(index).searcher.doc_freq("abstract", "odolab") == 2
    terms = {term for _, term in distinctive_terms(index, QUERY[0], QUERY[1] + LINK)}
    assert terms and not {"github", "com", "odolab", "vo", "https"} & terms


pytestmark_db = pytest.mark.django_db(transaction=True)
SLAM = ("Gaussian splatting SLAM with RGB-D cameras",
        "We track an RGB-D camera and map the scene with 3D Gaussians rendered by splatting in real time.")
TWIN = ("Dense mapping with Gaussian splats", "Camera tracking and scene mapping with 3D Gaussians in real time.")


@pytestmark_db
def test_a_neighbour_in_the_papers_category_breaks_a_tie(subset, index_env):
    store(corpus_record(p) for p in subset[:80]
          if not any(w in (p["title"] + p["abstract"]).lower() for w in ("gaussian", "splat", "slam", "mapping")))
    query = make_paper(None, *SLAM, categories="cs.CV cs.RO")
    other = make_paper(None, *TWIN, categories="eess.IV")
    same = make_paper(None, *TWIN, categories="cs.RO")
    sync_indexes(progress=False)
    from paperfeed.search.reader import current

    snapshot = current()
    vector = snapshot.vectors.vectors_for([query.pk])[query.pk]
    described = Described(query.title, query.abstract, ("cs.CV", "cs.RO"))

    def ranked(weights):
        found = rank_similar(snapshot.lexical, snapshot.vectors, query.pk, described, vector, describe_papers,
                             weights)
        return {c.pk: c.score for c in found}, [c.pk for c in found]

    words_only, _ = ranked({**DEFAULT_WEIGHTS, "categories": 0.0})
    assert words_only[same.pk] == pytest.approx(words_only[other.pk])  # the twins tie on text and meaning
    fused, order = ranked(DEFAULT_WEIGHTS)
    assert fused[same.pk] > fused[other.pk] and order.index(same.pk) < order.index(other.pk)
    assert order[:2] == [same.pk, other.pk]  # the closest text of the corpus, in the query's category first
    assert similar_papers(query, limit=1) == [same]
