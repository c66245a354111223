"""Upvote / remove vote: no-JS redirect back, htmx fragment, login, rate limit, one per person."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.test import Client

from paperfeed.accounts.models import Upvote
from paperfeed.papers.models import Paper
from tests.factories import list_paper, make_paper

pytestmark = pytest.mark.django_db


@pytest.fixture
def paper():
    p = make_paper("2604.02000", title="Votable paper", imported_upvotes=4)
    list_paper(p)
    return p


def test_vote_without_js_redirects_back(member_client, paper):
    response = member_client.post(
        "/papers/2604.02000/vote/", {"action": "up"}, HTTP_REFERER="http://testserver/date/2026-04-02/?cat=cs.LG"
    )
    assert response.status_code == 302 and response["Location"] == "http://testserver/date/2026-04-02/?cat=cs.LG"
    paper.refresh_from_db()
    assert paper.local_upvotes == 1 and paper.upvotes == 5
    html = member_client.get("/date/2026-04-02/").content.decode()
    assert 'aria-pressed="true"' in html and '<span class="count">5</span>' in html
    member_client.post("/papers/2604.02000/vote/", {"action": "remove"})
    paper.refresh_from_db()
    assert paper.local_upvotes == 0


def test_vote_redirect_never_leaves_the_site(member_client, paper):
    response = member_client.post("/papers/2604.02000/vote/", {"action": "up", "next": "https://evil.example/"})
    assert response["Location"] == "/papers/2604.02000/"


def test_vote_with_htmx_returns_the_button(member_client, paper):
    response = member_client.post("/papers/2604.02000/vote/", {"action": "up"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.strip().startswith('<div class="vote" id="vote-')
    assert 'aria-pressed="true"' in html and '<span class="count">5</span>' in html
    assert 'name="action" value="remove"' in html and "<html" not in html
    again = member_client.post("/papers/2604.02000/vote/", {"action": "remove"}, HTTP_HX_REQUEST="true").content.decode()
    assert 'aria-pressed="false"' in again and '<span class="count">4</span>' in again


def test_double_upvote_counts_once(member_client, paper):
    for _ in range(3):
        member_client.post("/papers/2604.02000/vote/", {"action": "up"})
    paper.refresh_from_db()
    assert paper.local_upvotes == 1 and Upvote.objects.count() == 1


def test_anonymous_vote_goes_to_login(client, paper):
    response = client.post("/papers/2604.02000/vote/", {"action": "up"})
    assert response.status_code == 302 and response["Location"] == "/accounts/login/?next=/papers/2604.02000/"
    htmx = client.post("/papers/2604.02000/vote/", {"action": "up"}, HTTP_HX_REQUEST="true")
    assert htmx.status_code == 204 and htmx["HX-Redirect"].startswith("/accounts/login/")
    assert Upvote.objects.count() == 0


@pytest.mark.parametrize(
    "url, data, status",
    [
        ("/papers/2604.99999/vote/", {"action": "up"}, 404),
        ("/papers/2604.02000/vote/", {"action": "delete-everything"}, 400),
        ("/papers/9999.99999/vote/", {"action": "up"}, 404),
    ],
)
def test_bad_votes(member_client, paper, url, data, status):
    assert member_client.post(url, data).status_code == status
    assert Upvote.objects.count() == 0


def test_vote_is_post_only(member_client, paper):
    assert member_client.get("/papers/2604.02000/vote/").status_code == 405


def test_hidden_paper_cannot_be_voted(member_client):
    make_paper("2604.02001", hidden=True)
    assert member_client.post("/papers/2604.02001/vote/", {"action": "up"}).status_code == 404


def test_votes_are_rate_limited(member_client, settings):
    settings.VOTE_RATE = "3/h"  # an hour: a fixed window must not end mid-test
    papers = [make_paper() for _ in range(4)]
    codes = [member_client.post(f"/papers/{p.arxiv_id}/vote/", {"action": "up"}).status_code for p in papers]
    assert codes == [302, 302, 302, 429]
    assert Upvote.objects.count() == 3


@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_clicks_make_one_vote(member, is_postgres):
    """50 simultaneous POSTs from one member: the unique constraint keeps exactly one vote."""
    if not is_postgres:
        pytest.skip("concurrent writers need PostgreSQL (SQLite serialises every writer)")
    paper = make_paper("2604.03000", imported_upvotes=2)
    barrier = threading.Barrier(50)
    codes: list[int] = []

    def click() -> None:
        client = Client()
        client.force_login(member)
        try:
            barrier.wait()
            codes.append(client.post("/papers/2604.03000/vote/", {"action": "up"}, HTTP_HX_REQUEST="true").status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=click) for _ in range(50)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert codes == [200] * 50
    paper = Paper.objects.get(pk=paper.pk)
    assert Upvote.objects.filter(paper=paper).count() == 1
    assert paper.local_upvotes == 1 and paper.upvotes == 3
