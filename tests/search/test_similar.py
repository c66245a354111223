"""Similar papers: neighbours by meaning, never the paper itself or a copy of it."""

from __future__ import annotations

import pytest

from paperfeed.papers.models import Paper
from paperfeed.search.similar import similar_papers
from paperfeed.search.sync import sync_indexes
from tests.factories import make_paper

pytestmark = pytest.mark.django_db(transaction=True)


def test_neighbours_of_a_gaussian_splatting_slam_paper(load_subset, subset):
    papers = load_subset()
    slam = next(p for p in papers.values() if "SLAM" in p.title and "Gaussian" in p.title)
    found = similar_papers(slam, limit=6)
    assert len(found) == 6 and slam not in found
    # Most neighbours are about SLAM or Gaussian splatting too.
    on_topic = [p for p in found if any(w in (p.title + p.abstract) for w in ("SLAM", "Gaussian", "mapping"))]
    assert len(on_topic) >= 5, [p.title for p in found]


def test_duplicates_and_hidden_papers_are_left_out(load_subset):
    papers = load_subset(60)
    base = next(iter(papers.values()))
    copy = make_paper("2607.09999", base.title, base.abstract + " (conference version)")
    hidden = make_paper("2607.09998", base.title + " revisited", base.abstract)
    Paper.objects.filter(pk=hidden.pk).update(hidden=True)
    sync_indexes(progress=False)
    found = similar_papers(base, limit=10)
    assert base not in found and copy not in found and hidden not in found
    assert len(found) == 10
    # And from the copy's page, the original is a duplicate too.
    assert base not in similar_papers(copy, limit=10)


def test_paper_not_indexed_yet_is_embedded_on_the_fly(load_subset):
    load_subset(60)
    fresh = make_paper("2607.09997", "Gaussian splatting for dense visual SLAM in real time",
                       "We build a SLAM system on 3D Gaussian splatting.")
    found = similar_papers(fresh, limit=3)
    assert len(found) == 3 and fresh not in found


# A query paper, a paper that shares its rare words but not its subject, one that shares its subject in
# other words, and papers close to it both ways; the rest of the corpus is the subset's papers on other topics.
QUERY = ("Gaussian splatting SLAM: real-time dense mapping with 3D Gaussians from RGB-D cameras",
         "We track an RGB-D camera and map the scene with anisotropic 3D Gaussians, rendered by splatting, "
         "in real time. Dense photometric and depth losses optimise the Gaussians and the camera poses.")
SAME_WORDS = ("Splatting paint at a poetry slam",
              "Judges at a poetry slam throw paint; the splatting patterns on anisotropic posters are scored "
              "with a Gaussian kernel in real time.")
SAME_MEANING = ("SplaTAM-style visual odometry and reconstruction using 3DGS",
                "Localizing a handheld RGBD sensor while reconstructing indoor environments with 3DGS primitives, "
                "optimized online.")
CLOSE_BOTH = [
    ("Dense visual SLAM with neural radiance fields from RGB-D cameras",
     "We track an RGB-D camera and map the scene densely with a neural radiance field in real time."),
    ("Real-time 3D reconstruction from RGB-D cameras with truncated signed distance fields",
     "Dense mapping of indoor scenes from RGB-D cameras in real time with camera tracking."),
    ("Photometric bundle adjustment for dense monocular SLAM",
     "Camera poses and a dense depth map are optimised with photometric losses in real time."),
    ("3D Gaussian splatting for novel view synthesis of large scenes",
     "Anisotropic 3D Gaussians rendered by splatting give real-time novel view synthesis."),
    ("Loop closure for RGB-D SLAM with 3D Gaussian maps",
     "Camera tracking and Gaussian mapping in real time with loop closure for drift-free dense maps."),
    ("Dynamic scenes in Gaussian splatting SLAM",
     "Moving objects are masked so that camera tracking and dense 3D Gaussian mapping stay accurate."),
]
ON_TOPIC = ("slam", "splat", "gaussian", "mapping", "odometry", "3d", "nerf", "radiance", "localization")


def test_a_paper_close_only_in_wording_or_only_in_meaning_still_appears(subset, index_env):
    from paperfeed.search.reader import current
    from paperfeed.search.similar import similar_pool
    from tests.factories import corpus_record, store

    store(corpus_record(p) for p in subset
          if not any(w in (p["title"] + p["abstract"]).lower() for w in ON_TOPIC))
    query = make_paper(None, *QUERY)
    words = make_paper(None, *SAME_WORDS)
    meaning = make_paper(None, *SAME_MEANING)
    for title, abstract in CLOSE_BOTH:
        make_paper(None, title, abstract)
    sync_indexes(progress=False)
    snapshot = current()
    pool = similar_pool(snapshot.lexical, snapshot.vectors, query.pk, query.title, query.abstract,
                        snapshot.vectors.vectors_for([query.pk])[query.pk])
    # Each twin is close by one kind of evidence only: either retriever alone ranks the other twin
    # below the papers close both ways and its own twin (BM25 does not find the paraphrase at all).
    k = len(CLOSE_BOTH) + 1
    dense_top = [pk for pk, _ in pool.dense][:k]
    lexical_top = [pk for pk, _ in pool.lexical][:k]
    assert words.pk in lexical_top and words.pk not in dense_top, (lexical_top, dense_top)
    assert meaning.pk in dense_top and pool.bm25[meaning.pk] == 0.0, (lexical_top, dense_top)
    found = similar_papers(query, limit=len(CLOSE_BOTH) + 2)
    assert words in found and meaning in found, [p.title for p in found]
