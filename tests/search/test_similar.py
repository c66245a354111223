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
