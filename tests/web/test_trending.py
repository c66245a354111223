"""Trending page: decayed votes, category filter, the formula on the page, fixed query count."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from paperfeed.accounts import votes
from paperfeed.accounts.models import Upvote
from paperfeed.lists import ranking
from tests.factories import list_paper, make_paper

pytestmark = pytest.mark.django_db


def test_recent_votes_beat_old_imported_votes(client, member, other):
    today = timezone.localdate()
    old = make_paper(title="Old favourite", imported_upvotes=10, announced=today - timedelta(days=10))
    list_paper(old, today - timedelta(days=10))
    fresh = make_paper(title="Fresh paper", announced=today)
    list_paper(fresh, today)
    votes.upvote(member, fresh)
    votes.upvote(other, fresh)
    html = client.get("/trending/").content.decode()
    assert html.index("Fresh paper") < html.index("Old favourite")
    # 10 votes * 0.5^(~240h/36h) ≈ 0.1 < 2 fresh votes
    assert "trend 2.0" in html


def test_vote_moves_a_paper_up(client, member):
    today = timezone.localdate()
    a = make_paper(title="Paper A", imported_upvotes=1)
    b = make_paper(title="Paper B", imported_upvotes=1)
    list_paper(a, today)
    list_paper(b, today)
    first = client.get("/trending/").content.decode()
    leader, runner_up = sorted(["Paper A", "Paper B"], key=first.index)
    loser = a if runner_up == "Paper A" else b
    votes.upvote(member, loser)
    html = client.get("/trending/").content.decode()
    assert html.index(runner_up) < html.index(leader)


def test_formula_is_documented(client):
    html = client.get("/trending/").content.decode()
    assert "How trending is computed" in html
    assert f"{ranking.HALF_LIFE_HOURS:.0f} hours" in html
    assert f"last {ranking.TRENDING_WINDOW_DAYS} days" in html


def test_category_filter_and_bad_category(client, member):
    today = timezone.localdate()
    cv = make_paper(title="Vision trend", categories="cs.CV", imported_upvotes=3)
    cl = make_paper(title="Language trend", categories="cs.CL", imported_upvotes=3)
    list_paper(cv, today)
    list_paper(cl, today)
    html = client.get("/trending/?cat=cs.CV").content.decode()
    assert "Vision trend" in html and "Language trend" not in html
    response = client.get("/trending/?cat=%3Cscript%3E")
    assert response.status_code == 400 and b"<script>" not in response.content.split(b"<main", 1)[1]


def test_trending_query_count(client, member, django_user_model, django_assert_max_num_queries):
    today = timezone.localdate()
    papers = [make_paper(imported_upvotes=i) for i in range(40)]
    for p in papers:
        list_paper(p, today)
    for p in papers[:20]:
        votes.upvote(member, p)
    client.force_login(member)
    assert Upvote.objects.count() == 20
    # +3: the version tokens (read, and created on first sight: tests/web/test_cache.py); +3: the
    # comments token (the same) and every paper's comment counts, once per process and comment change
    # (discussions/counts.py)
    with django_assert_max_num_queries(18):
        response = client.get("/trending/")
    assert response.content.decode().count('class="paper-card"') == 40


def test_trending_feed_links(client):
    html = client.get("/trending/").content.decode()
    assert 'href="/feeds/trending.rss"' in html and 'type="application/atom+xml"' in html
