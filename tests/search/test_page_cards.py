"""The search page's cards come from the card cache, and each reader still sees their own state.

Cards are shared across queries and readers (web/cardcache.py); what differs per reader (vote
state, Save and feedback links, the CSRF token in their forms) and per paper change (votes) must
never leak from one to the other. The page's query count does not grow with its cards.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from paperfeed.accounts import votes
from paperfeed.lists.cache import pages
from paperfeed.search.sync import sync_indexes
from tests.factories import make_paper

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def quokkas(index_env):
    pages.clear()
    papers = [make_paper(f"2603.2{i:04d}", f"Quokka study number {i} on {topic}",
                         f"We observe quokkas {topic} in the wild, paper {i}.", categories=("q-bio.PE",),
                         announced=date(2026, 3, 2), imported_upvotes=i)
              for i, topic in enumerate(["sleeping", "eating", "jumping"] * 8)]
    sync_indexes(progress=False)
    yield papers
    pages.clear()


def _vote_div(html: str, paper) -> str:
    return html.split(f'id="vote-{paper.pk}"', 1)[1].split("</div>", 1)[0]


def test_each_reader_sees_their_own_vote_state(quokkas, member, other):
    first = quokkas[5]
    votes.upvote(member, first)
    alice, bob, anonymous = Client(enforce_csrf_checks=True), Client(), Client()
    alice.force_login(member)
    bob.force_login(other)
    for _ in range(2):  # the second round is served from cached cards
        mine = alice.get("/search/", {"q": "quokka"}).content.decode()
        theirs = bob.get("/search/", {"q": "quokka study"}).content.decode()
        nobody = anonymous.get("/search/", {"q": "quokkas"}).content.decode()
        assert 'aria-pressed="true"' in _vote_div(mine, first) and mine.count('aria-pressed="true"') == 1
        assert 'aria-pressed="true"' not in theirs and 'class="save-link"' in theirs
        assert "/accounts/login/?next=/papers/2603.20005/" in _vote_div(nobody, first)
        assert "csrfmiddlewaretoken" not in nobody.split('<ol class="paper-list"', 1)[1]
        assert "pf-csrf-token-placeholder" not in mine + theirs + nobody
        assert ">6</span>" in _vote_div(mine, first) and ">6</span>" in _vote_div(nobody, first)


def test_a_vote_from_the_page_works_and_shows(quokkas, member):
    paper = quokkas[4]
    alice = Client(enforce_csrf_checks=True)
    alice.force_login(member)
    html = alice.get("/search/", {"q": "quokka"}).content.decode()
    form = _vote_div(html, paper)
    token = form.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]
    response = alice.post(f"/papers/{paper.arxiv_id}/vote/", {"action": "up", "csrfmiddlewaretoken": token})
    assert response.status_code in (200, 302) and votes.has_upvoted(member, paper)
    after = _vote_div(alice.get("/search/", {"q": "quokka"}).content.decode(), paper)
    assert 'aria-pressed="true"' in after and ">5</span>" in after  # 4 imported + this one
    anonymous = _vote_div(Client().get("/search/", {"q": "quokka"}).content.decode(), paper)
    assert ">5</span>" in anonymous and "aria-pressed" not in anonymous


def test_queries_do_not_grow_with_the_cards(quokkas, member):
    alice = Client()
    alice.force_login(member)
    for client in (Client(), alice):
        counts = []
        for q in ("quokka sleeping", "quokka"):  # a few hits, then a full page of 20
            client.get("/search/", {"q": q})  # first time: the ranked list
            with CaptureQueriesContext(connection) as queries:
                html = client.get("/search/", {"q": q}).content.decode()
            counts.append(len(queries))
            assert html.count('class="paper-card"') == (8 if q == "quokka sleeping" else 20)
        assert counts[0] == counts[1], counts
