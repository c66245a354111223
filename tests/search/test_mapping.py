"""The map of the field (search/mapping.py): the worker's positions job on real papers and real
vectors (the search subset: Gaussian-splatting papers and self-supervised-learning papers among
others), stored in the database, and search results placed on the stored axes."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pytest

from paperfeed.jobs.jobs import JOBS
from paperfeed.papers.models import Paper
from paperfeed.search import mapping
from paperfeed.search.models import MapLayout, MapPoint
from tests.factories import list_paper, make_paper

pytestmark = pytest.mark.django_db
END = date(2026, 3, 31)


def _is_splatting(paper: Paper) -> bool:
    return "splatting" in paper.title.lower()


@pytest.fixture
def month(load_subset) -> list[Paper]:
    """Every subset paper announced a year ago; 30 splatting and 30 other papers listed this month."""
    papers = load_subset()
    Paper.objects.update(announced=END - timedelta(days=365))
    splats = [p for p in papers.values() if _is_splatting(p)][:30]
    others = [p for p in papers.values() if not _is_splatting(p)][:30]
    for n, paper in enumerate(splats + others):
        list_paper(paper, END - timedelta(days=n % 20))
    return splats + others


def test_the_job_stores_the_months_papers_in_the_unit_square(month):
    summary = JOBS["field_map"]()
    assert summary == f"map of 60 papers listed {END - timedelta(days=29)}..{END}"
    layout = MapLayout.objects.get()
    assert (layout.start, layout.end) == (END - timedelta(days=29), END)
    points = {p.paper_id: (p.x, p.y) for p in MapPoint.objects.filter(layout=layout)}
    assert set(points) == {p.pk for p in month}  # the year-old papers stay off this month's map
    xy = np.array(list(points.values()))
    assert xy.min() == pytest.approx(0.0) and xy.max() == pytest.approx(1.0)
    assert len(layout.mean) == 384 and np.asarray(layout.axes).shape == (2, 384)


def test_papers_about_the_same_thing_land_together(month):
    mapping.draw_month()
    placed = {p.paper.pk: np.array([p.x, p.y]) for p in mapping.month_map(mapping.current_layout())}
    splats = np.array([placed[p.pk] for p in month if _is_splatting(p)])
    others = np.array([placed[p.pk] for p in month if not _is_splatting(p)])
    within = np.linalg.norm(splats[:, None] - splats[None], axis=2).mean()
    across = np.linalg.norm(splats[:, None] - others[None], axis=2).mean()
    assert within < 0.6 * across


def test_a_redraw_replaces_the_map_and_hidden_papers_leave_it(month):
    mapping.draw_month()
    first = mapping.current_layout()
    Paper.objects.filter(pk=month[0].pk).update(hidden=True)
    assert month[0].pk not in {p.paper.pk for p in mapping.month_map(first)}
    report = mapping.draw_month()
    assert report.papers == 59
    assert MapLayout.objects.count() == 1 and MapLayout.objects.get().pk != first.pk
    assert MapPoint.objects.count() == 59


def test_the_same_vectors_draw_the_same_picture(month):
    mapping.draw_month()
    before = {p.paper.pk: (p.x, p.y) for p in mapping.month_map(mapping.current_layout())}
    mapping.draw_month()
    after = {p.paper.pk: (p.x, p.y) for p in mapping.month_map(mapping.current_layout())}
    assert after.keys() == before.keys()
    assert np.allclose([after[pk] for pk in before], list(before.values()))


def test_search_results_are_placed_on_the_stored_axes(month):
    mapping.draw_month()
    layout = mapping.current_layout()
    splats = [p for p in month if _is_splatting(p)][:5]
    old = Paper.objects.exclude(pk__in=[p.pk for p in month]).first()  # last year's: still has a vector
    placed = mapping.place([*splats, old], layout)
    assert [p.paper.pk for p in placed] == [*(p.pk for p in splats), old.pk]
    xy = np.array([(p.x, p.y) for p in placed])
    assert xy.min() == pytest.approx(0.0) and xy.max() == pytest.approx(1.0)
    # the stored axes, not a new fit: the order along the first axis is the month map's
    month_x = {p.paper.pk: p.x for p in mapping.month_map(layout)}
    search_x = {p.paper.pk: p.x for p in placed}
    assert sorted(splats, key=lambda p: month_x[p.pk]) == sorted(splats, key=lambda p: search_x[p.pk])


def test_papers_without_a_vector_are_left_off(index_env):
    unindexed = make_paper("2603.00001", title="Not indexed yet")
    assert mapping.place([unindexed], None) == []
    assert str(mapping.draw_month()) == "map not drawn: no search index yet"


def test_an_empty_hub_draws_nothing(index_env):
    assert str(mapping.draw_month()) == "map not drawn: no papers listed yet"
    assert not MapLayout.objects.exists()


def test_colours_go_to_the_commonest_categories_and_the_rest_are_other():
    counts = {f"cs.C{n}": 10 - n for n in range(10)}
    placed = [mapping.Placed(Paper(primary_category=cat), 0.5, 0.5) for cat, n in counts.items() for _ in range(n)]
    named = mapping.groups(placed)
    assert named == [f"cs.C{n}" for n in range(7)] + [mapping.OTHER]
    assert mapping.group_of(Paper(primary_category="cs.C9"), named) == mapping.OTHER
    assert mapping.groups(placed[:3]) == ["cs.C0"]
