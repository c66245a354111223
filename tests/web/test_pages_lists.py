"""Lists that make sense (issue 12, point 4): the home page shows a real list, trending keeps its
papers when one new paper arrives, previous/next skip empty days and stop at today."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from paperfeed.accounts import submissions, votes
from tests.factories import list_paper, listed, make_paper

pytestmark = pytest.mark.django_db


@pytest.fixture
def min_entries(settings):
    settings.LIST_MIN_ENTRIES = 3
    return 3


def heading(html: str) -> str:
    return html.split("<h1>", 1)[1].split("</h1>", 1)[0]


def test_a_few_submissions_today_do_not_hide_yesterdays_list(client, member, min_entries):
    today = timezone.localdate()
    yesterday = today - timedelta(days=1)
    listed(3, day=yesterday)
    make_paper("2612.00001", title="Fresh submission", announced=today)
    submissions.submit(member, "2612.00001")
    html = client.get("/").content.decode()
    assert heading(html) == f"{yesterday:%A, %B} {yesterday.day}, {yesterday.year}"
    strip, rest = html.split('id="so-far-heading">So far today</h2>', 1)[1].split("</section>", 1)
    assert "Fresh submission" in strip and "Fresh submission" not in rest
    assert rest.count('class="paper-card"') == 3
    assert len(client.get("/api/daily_papers").json()) == 3  # the API agrees on the day
    # Once today has a real list, the home page shows it, with no strip.
    for arxiv_id in ("2612.00002", "2612.00003"):
        make_paper(arxiv_id, announced=today)
        submissions.submit(member, arxiv_id)
    html = client.get("/").content.decode()
    assert heading(html).startswith(f"{today:%A, %B}") and "So far today" not in html
    assert html.count('class="paper-card"') == 3


def test_a_hub_without_a_full_day_shows_its_newest_day(client, min_entries):
    today = timezone.localdate()
    listed(1, day=today - timedelta(days=3), title="Older")
    listed(1, day=today - timedelta(days=1), title="Newest")
    html = client.get("/").content.decode()
    assert "Newest" in html and "Older" not in html and "So far today" not in html


def test_one_new_paper_does_not_empty_trending(client, member, min_entries):
    """An old sample plus one fresh submission: trending keeps the sample's papers, votes in order."""
    today = timezone.localdate()
    old_day = today - timedelta(days=40)
    popular = make_paper(title="Nineteen votes", imported_upvotes=19, announced=old_day)
    others = [make_paper(title=f"Old paper {n}", imported_upvotes=n + 2, announced=old_day) for n in range(3)]
    for paper in (popular, *others):
        list_paper(paper, old_day)
    fresh = make_paper(title="One vote today", announced=today)
    list_paper(fresh, today)
    votes.upvote(member, fresh)
    html = client.get("/trending/").content.decode()
    assert html.count('class="paper-card"') == 5
    assert html.index("Nineteen votes") < html.index("One vote today")
    api = client.get("/api/daily_papers", {"sort": "trending"}).json()
    assert [item["title"] for item in api][0] == "Nineteen votes" and len(api) == 5


def test_a_live_hub_ranks_by_recent_votes(client, member, other, min_entries):
    today = timezone.localdate()
    listed(3, day=today - timedelta(days=1))
    old = make_paper(title="Old favourite", imported_upvotes=10, announced=today - timedelta(days=10))
    list_paper(old, today - timedelta(days=10))
    fresh = make_paper(title="Fresh paper", announced=today)
    list_paper(fresh, today)
    votes.upvote(member, fresh)
    votes.upvote(other, fresh)
    html = client.get("/trending/").content.decode()
    assert html.index("Fresh paper") < html.index("Old favourite")


def test_previous_and_next_skip_empty_days_and_stop_at_today(client):
    today = timezone.localdate()
    first, second = today - timedelta(days=20), today - timedelta(days=9)
    for day in (first, second, today + timedelta(days=2)):
        listed(1, day=day)
    html = client.get(f"/date/{first.isoformat()}/").content.decode()
    assert f'href="/date/{second.isoformat()}/" rel="next"' in html and 'rel="prev"' not in html
    html = client.get(f"/date/{second.isoformat()}/").content.decode()
    assert f'href="/date/{first.isoformat()}/" rel="prev"' in html
    assert 'rel="next"' not in html  # the only later list is in the future
    html = client.get(f"/date/{(first + timedelta(days=3)).isoformat()}/").content.decode()
    assert f'href="/date/{first.isoformat()}/" rel="prev"' in html
    assert f'href="/date/{second.isoformat()}/" rel="next"' in html


def test_weeks_and_months_skip_empty_ones(client):
    today = timezone.localdate()
    early = today - timedelta(days=120)
    listed(1, day=early)
    listed(1, day=today)
    html = client.get(f"/month/{today:%Y-%m}/").content.decode()
    assert f'href="/date/{early:%Y-%m}/" rel="prev"' in html and 'rel="next"' not in html
    year, week, _ = early.isocalendar()
    html = client.get(f"/week/{today.isocalendar()[0]}-W{today.isocalendar()[1]:02d}/").content.decode()
    assert f'href="/date/{year}-W{week:02d}/" rel="prev"' in html
