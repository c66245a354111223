"""Visible papers per catalog token (search/visible.py): a hidden or deleted paper drops out as soon
as its writer bumps the catalog, and an unchanged catalog costs one query (its token), not one per
candidate."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from paperfeed.papers import freshness
from paperfeed.papers.models import Paper
from paperfeed.search.visible import VisiblePapers
from tests.factories import make_paper

pytestmark = pytest.mark.django_db(transaction=True)


def test_hidden_deleted_and_shown_again_papers_follow_their_writers():
    a, b, c = make_paper(), make_paper(), make_paper()
    visible = VisiblePapers()
    assert visible.are_visible([a.pk, b.pk, c.pk, c.pk + 1000]) == [True, True, True, False]
    Paper.objects.filter(pk=a.pk).update(hidden=True)
    Paper.objects.filter(pk=b.pk).delete()
    freshness.papers_changed([a.arxiv_id, b.arxiv_id], visibility=True)
    assert visible.are_visible([a.pk, b.pk, c.pk]) == [False, False, True]
    Paper.objects.filter(pk=a.pk).update(hidden=False)
    freshness.papers_changed([a.arxiv_id], visibility=True)
    assert visible.are_visible([c.pk, a.pk]) == [True, True]


def test_an_unchanged_catalog_reads_only_its_token():
    paper = make_paper()
    visible = VisiblePapers()
    assert visible.are_visible([paper.pk]) == [True]
    with CaptureQueriesContext(connection) as unchanged:
        assert visible.are_visible([paper.pk, paper.pk + 1]) == [True, False]
    assert len(unchanged) == 1  # the catalog token
    newer = make_paper()  # storing a paper bumps the catalog
    with CaptureQueriesContext(connection) as changed:
        assert visible.are_visible([newer.pk]) == [True]
    assert len(changed) == 2  # the token, then the visible keys once


def test_no_papers_at_all():
    assert VisiblePapers().are_visible([1, 2]) == [False, False]
    assert VisiblePapers().are_visible([]) == []
