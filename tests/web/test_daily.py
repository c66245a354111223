"""The daily / weekly / monthly lists: ranking, navigation, filters, bad input, query counts."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from paperfeed.accounts import votes
from paperfeed.papers.models import DailyEntry
from tests.factories import DAY, list_paper, listed, make_paper

pytestmark = pytest.mark.django_db


def positions(html: str, *needles: str) -> list[int]:
    found = [html.index(n) for n in needles]
    return found


def test_home_shows_latest_listed_day(client):
    old = make_paper(title="Older day paper")
    list_paper(old, DAY - timedelta(days=3))
    new = make_paper(title="Newest day paper")
    list_paper(new, DAY)
    html = client.get("/").content.decode()
    assert "Newest day paper" in html and "Older day paper" not in html
    assert "Thursday, April 2, 2026" in html


def test_day_ranked_by_imported_plus_local_votes(client, member, other):
    a = make_paper(title="Alpha paper", imported_upvotes=5)
    b = make_paper(title="Beta paper", imported_upvotes=4)
    c = make_paper(title="Gamma paper", imported_upvotes=0)
    for p in (a, b, c):
        list_paper(p)
    html = client.get("/date/2026-04-02/").content.decode()
    ia, ib, ic = positions(html, "Alpha paper", "Beta paper", "Gamma paper")
    assert ia < ib < ic
    votes.upvote(member, b)
    votes.upvote(other, b)  # 4 imported + 2 local = 6 > 5
    html = client.get("/date/2026-04-02/").content.decode()
    ia, ib, ic = positions(html, "Alpha paper", "Beta paper", "Gamma paper")
    assert ib < ia < ic
    assert '<span class="count">6</span>' in html


def test_week_and_month_cover_their_days(client):
    monday, sunday = date(2026, 3, 30), date(2026, 4, 5)
    first = make_paper(title="Monday paper")
    list_paper(first, monday)
    last = make_paper(title="Sunday paper")
    list_paper(last, sunday)
    outside = make_paper(title="Next week paper")
    list_paper(outside, date(2026, 4, 6))
    for url in ("/date/2026-W14/", "/week/2026-W14/"):
        html = client.get(url).content.decode()
        assert "Week 14, 2026" in html
        assert "Monday paper" in html and "Sunday paper" in html and "Next week paper" not in html
    html = client.get("/month/2026-04/").content.decode()
    assert "April 2026" in html and "Sunday paper" in html and "Next week paper" in html
    assert "Monday paper" not in html  # March 30
    assert client.get("/date/2026-04/").status_code == 200


def test_previous_and_next_links(client):
    # Issue 12: previous/next step over empty days to the nearest listed one (tests/web/test_pages_lists.py).
    for day in (date(2025, 12, 30), date(2026, 3, 31), date(2026, 4, 2), date(2026, 4, 14)):
        listed(1, day=day)
    html = client.get("/date/2026-04-02/").content.decode()
    assert 'href="/date/2026-03-31/" rel="prev"' in html
    assert 'href="/date/2026-04-14/" rel="next"' in html
    html = client.get("/week/2026-W14/").content.decode()
    assert 'href="/date/2026-W14/" rel="prev"' not in html
    assert 'href="/date/2026-W01/" rel="prev"' in html and 'href="/date/2026-W16/" rel="next"' in html
    html = client.get("/month/2026-01/").content.decode()
    assert 'href="/date/2025-12/" rel="prev"' in html
    # the Day / Week / Month switcher keeps the reader in the same time
    html = client.get("/date/2026-04-02/").content.decode()
    assert 'href="/date/2026-W14/"' in html and 'href="/date/2026-04/"' in html


def test_category_filter(client):
    listed(1, day=date(2026, 4, 1))
    cv = make_paper(title="Vision paper", categories="cs.CV cs.LG")
    cl = make_paper(title="Language paper", categories="cs.CL")
    list_paper(cv)
    list_paper(cl)
    html = client.get("/date/2026-04-02/?cat=cs.CV").content.decode()
    assert "Vision paper" in html and "Language paper" not in html
    html = client.get("/date/2026-04-02/?cat=cs.LG").content.decode()
    assert "Vision paper" in html and "Language paper" not in html
    # the chips offer the categories present that day, with counts
    html = client.get("/date/2026-04-02/").content.decode()
    assert 'href="/date/2026-04-02/?cat=cs.CL"' in html
    # the filter survives prev/next
    html = client.get("/date/2026-04-02/?cat=cs.CV").content.decode()
    assert 'href="/date/2026-04-01/?cat=cs.CV" rel="prev"' in html


def test_category_filter_takes_every_real_category_in_any_case(client):
    # Subjects with hyphens or longer than four letters are real (the old ?cat= check refused them).
    optics = make_paper(title="Optics paper", categories="physics.optics cond-mat.stat-mech")
    list_paper(optics)
    for cat in ("physics.optics", "cond-mat.stat-mech", "PHYSICS.Optics"):
        response = client.get(f"/date/2026-04-02/?cat={cat}")
        assert response.status_code == 200 and "Optics paper" in response.content.decode(), cat
    assert client.get("/date/2026-04-02/?cat=I.4").status_code == 400


@pytest.mark.parametrize(
    "url",
    [
        "/date/2026-13-45/",
        "/date/2026-02-30/",
        "/date/2026-W60/",
        "/date/9999-W52/",
        "/date/abc/",
        "/date/2026-04-02x/",
        "/date/%00/",
        "/week/2026-04-02/",
        "/month/2026-W14/",
        "/month/2026-00/",
        "/date/" + "9" * 40 + "/",
    ],
)
def test_bad_periods_are_404(client, url):
    response = client.get(url)
    assert response.status_code == 404


def test_404_page_says_why(client):
    html = client.get("/date/2026-13-45/").content.decode()
    assert "not a valid date" in html


@pytest.mark.parametrize("url", ["/date/9999-12-31/", "/month/9999-12/", "/date/0001-01-01/", "/month/0001-01/"])
def test_calendar_edges_render_without_the_missing_link(client, url):
    listed(1)  # previous/next lead only to listed days (issue 12), so the edges need one to point at
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert ('rel="next"' in html) != ('rel="prev"' in html)


@pytest.mark.parametrize(
    "query, status",
    [
        ("?cat=<script>alert(1)</script>", 400),
        ("?cat=cs.CV%00", 400),
        ("?cat=" + "a" * 500, 400),
        ("?page=abc", 404),
        ("?page=999", 404),
        ("?page=-1", 404),
        ("?cat=cs.CV&cat=cs.LG", 200),
        ("?unknown=%ff%fe", 200),
    ],
)
def test_hostile_query_strings(client, query, status):
    listed(2)
    response = client.get("/date/2026-04-02/" + query)
    assert response.status_code == status
    assert b"<script>alert(1)</script>" not in response.content


def test_bad_category_is_explained(client):
    listed(1)
    response = client.get("/date/2026-04-02/?cat=not a category")
    assert response.status_code == 400
    assert "is not an arXiv category" in response.content.decode()


def test_hidden_papers_and_entries_are_not_listed(client):
    shown = make_paper(title="Shown paper")
    hidden_paper = make_paper(title="Hidden paper", hidden=True)
    hidden_entry = make_paper(title="Entry hidden paper")
    list_paper(shown)
    list_paper(hidden_paper)
    list_paper(hidden_entry, hidden=True)
    html = client.get("/date/2026-04-02/").content.decode()
    assert "Shown paper" in html and "Hidden paper" not in html and "Entry hidden paper" not in html


def test_card_content(client, member):
    paper = make_paper(
        title="Card paper",
        authors=["A One", "B Two", "C Three", "D Four", "E Five", "F Six"],
        categories="cs.CV cs.AI",
        code_url="https://github.com/example/card",
        project_url="https://example.org/card",
    )
    list_paper(paper, source=DailyEntry.Source.MEMBER, submitted_by=member)
    html = client.get("/date/2026-04-02/").content.decode()
    assert "A One, B Two, C Three, D Four" in html and "E Five" not in html and "+2 more" in html
    assert 'href="https://github.com/example/card"' in html and ">Code<" in html
    assert 'href="https://example.org/card"' in html and ">Project page<" in html
    assert 'submitted by <a href="/u/alice/">alice</a>' in html
    assert f'href="/papers/{paper.arxiv_id}/"' in html
    assert f"https://arxiv.org/pdf/{paper.arxiv_id}" in html
    assert "Apr 2, 2026" in html
    assert "<img" not in html.split("<main", 1)[1]  # clean cards: no thumbnails


def test_imported_submitter_name_is_shown(client):
    paper = make_paper(title="Imported paper")
    list_paper(paper, submitter_name="akhaliq")
    assert "submitted by akhaliq" in client.get("/").content.decode()


def test_vote_buttons_reflect_the_viewer(client, member):
    voted, not_voted = listed(2)
    votes.upvote(member, voted)
    anonymous = client.get("/").content.decode()
    assert "Log in to upvote" in anonymous and 'aria-pressed="true"' not in anonymous
    client.force_login(member)
    html = client.get("/").content.decode()
    assert html.count('aria-pressed="true"') == 1 and html.count('aria-pressed="false"') == 1
    assert 'name="csrfmiddlewaretoken"' in html


def test_alternate_feed_links(client):
    listed(1, categories="cs.CV")
    html = client.get("/date/2026-04-02/?cat=cs.CV").content.decode()
    assert '<link rel="alternate" type="application/rss+xml"' in html
    assert 'href="/feeds/daily.rss?period=2026-04-02&amp;cat=cs.CV"' in html
    assert '<link rel="alternate" type="application/atom+xml"' in html


def test_empty_day(client):
    response = client.get("/date/2020-01-01/")
    assert response.status_code == 200
    assert "No papers listed for this day" in response.content.decode()


def test_empty_hub_front_page(client):
    response = client.get("/")
    assert response.status_code == 200
    assert "No papers listed" in response.content.decode()


def test_long_month_is_paginated(client):
    papers = listed(105)
    html = client.get("/month/2026-04/").content.decode()
    assert html.count('class="paper-card"') == 100 and "Page 1 of 2" in html
    page2 = client.get("/month/2026-04/?page=2").content.decode()
    assert page2.count('class="paper-card"') == 5 and '<ol class="paper-list" start="101">' in page2
    assert len(papers) == 105


@pytest.mark.parametrize("logged_in", [False, True])
def test_daily_page_query_count_does_not_grow_with_papers(client, member, django_assert_max_num_queries, logged_in):
    papers = listed(60, categories="cs.CV cs.LG")
    for p in papers[::3]:
        DailyEntry.objects.filter(paper=p).update(source=DailyEntry.Source.MEMBER, submitted_by=member)
        votes.upvote(member, p)
    if logged_in:
        client.force_login(member)
    # session + user + votes (3 when logged in), version tokens (1 read + 2 on a key's first sight,
    # +1 for the home day's), home day, count, papers, previous, next, entries, categories, the page's
    # comment counts (the comments token, +2 on its first sight, and every paper's counts once per
    # process and comment change: discussions/counts.py). Once cached, the page costs the token read
    # alone (tests/web/test_cache.py).
    with django_assert_max_num_queries(15 + (3 if logged_in else 0)):
        response = client.get("/")
    assert response.content.decode().count('class="paper-card"') == 60


def test_head_and_method(client):
    listed(1)
    assert client.head("/date/2026-04-02/").status_code == 200
    assert client.post("/date/2026-04-02/").status_code in (403, 405)
