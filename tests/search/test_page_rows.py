"""The papers a search reads with statements compiled once per size are the ones the ORM reads.

Every field of every paper is compared with ``in_bulk`` / ``values_list`` (JSON lists, dates,
times, booleans, nulls), for several sizes, twice each (the second time from the kept statement),
with hidden papers left out of the page's rows and missing keys ignored.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from paperfeed.papers.models import Paper
from paperfeed.search import page_rows
from tests.factories import make_paper

pytestmark = pytest.mark.django_db


@pytest.fixture
def papers() -> list[Paper]:
    made = [make_paper(title=f"Paper {i} on “sparse” attention", abstract=f"Abstract {i} with 100% of $x$.",
                       authors=(f"Author {i}", "Grace Hopper"), categories=("cs.LG", "cs.CL"),
                       announced=date(2026, 3, 1 + i), code_url=f"https://example.org/{i}",
                       github_stars=i if i % 2 else None, local_upvotes=i)
            for i in range(12)]
    for i, paper in enumerate(made[:6]):  # columns no source sets: a JSON list of objects, a time
        Paper.objects.filter(pk=paper.pk).update(versions=[{"version": 1, "date": f"2026-03-0{i + 1}"}],
                                                  arxiv_checked_at=datetime(2026, 3, 2, 8, i, tzinfo=UTC))
    Paper.objects.filter(pk=made[3].pk).update(hidden=True)
    return made


def fields(paper: Paper) -> dict:
    return {f.attname: getattr(paper, f.attname) for f in Paper._meta.concrete_fields}


@pytest.mark.parametrize("size", [1, 5, 12])
def test_the_page_rows_are_the_visible_papers_in_bulk_reads(papers, size):
    pks = [p.pk for p in reversed(papers)][:size] + [10**9]  # a key no paper has
    expected = Paper.objects.visible().in_bulk(pks)
    for _ in range(2):  # compiled, then kept
        got = page_rows.visible_papers(pks)
        assert set(got) == set(expected)
        assert all(fields(got[pk]) == fields(expected[pk]) for pk in expected)
        assert all(isinstance(got[pk], Paper) for pk in got)
    assert papers[3].pk not in page_rows.visible_papers([p.pk for p in papers])
    kept = [statement for key, statement in page_rows._STATEMENTS.items() if key[-2:] == ("papers", len(pks))]
    assert kept and all(kept), "the rows came from the queryset fallback, not a kept statement"


def test_titles_are_the_titles_values_list_reads(papers):
    pks = [p.pk for p in papers[:7]]
    expected = dict(Paper.objects.filter(pk__in=pks).values_list("pk", "title"))
    assert page_rows.titles(pks) == expected == page_rows.titles(pks)
    assert page_rows.titles([]) == {} == page_rows.visible_papers([])
    kept = [statement for key, statement in page_rows._STATEMENTS.items() if key[-2:] == ("titles", 7)]
    assert kept and all(kept), "the titles came from the queryset fallback, not a kept statement"


def test_a_row_changed_after_compiling_reads_as_it_is_now(papers):
    pks = [p.pk for p in papers[:4]]
    page_rows.visible_papers(pks)
    Paper.objects.filter(pk=papers[0].pk).update(title="A new title", local_upvotes=41)
    got = page_rows.visible_papers(pks)
    assert (got[papers[0].pk].title, got[papers[0].pk].local_upvotes) == ("A new title", 41)
    assert page_rows.titles(pks)[papers[0].pk] == "A new title"
