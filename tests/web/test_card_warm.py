"""A web worker's warm-up renders the search page's cards of the newest papers (web/cardcache.py warm).

What it caches must be exactly what a reader would get: the same card markup as a fresh
rendering, nothing for hidden papers, nothing served to a member as their own card, and no more
than its budget allows. Rendered cards are counted with the template_rendered signal that
Django's test environment sends for every template rendered.
"""

from __future__ import annotations

import re
from contextlib import contextmanager

import pytest
from django.test import Client
from django.test.signals import template_rendered

from paperfeed import server
from paperfeed.accounts import votes
from paperfeed.lists.cache import pages
from paperfeed.papers.models import Paper
from paperfeed.search import highlight, reader
from paperfeed.web import cardcache
from tests.factories import make_paper

pytestmark = pytest.mark.django_db
CARD = "partials/paper_card.html"


@pytest.fixture
def quolls(data_dir):
    """Twelve papers, found by the database keyword search: a private data dir holds no index (an index
    an earlier test left in the session's data dir would not hold them)."""
    reader.forget()
    pages.clear()
    papers = [make_paper(f"2603.3{i:04d}", f"Quoll survey {i}", f"Quolls counted at night, site {i}.",
                         imported_upvotes=i) for i in range(12)]
    yield papers
    pages.clear()
    reader.forget()


@contextmanager
def _cards_rendered():
    rendered: list[str] = []

    def count(sender, template, context, **kwargs):
        if template.name == CARD:
            rendered.append(context.get("paper").arxiv_id)

    template_rendered.connect(count)
    try:
        yield rendered
    finally:
        template_rendered.disconnect(count)


def _hits(html: str) -> str:
    """The results list: the page outside it holds a fresh CSRF token on every response."""
    return html.split('<ol class="paper-list"', 1)[1].split("</ol>", 1)[0]


def test_warm_cards_are_what_the_page_shows_and_it_renders_none(quolls, settings):
    settings.PAGE_CACHE = False
    fresh = _hits(Client().get("/search/", {"q": "quoll"}).content.decode())
    settings.PAGE_CACHE = True
    with _cards_rendered() as rendered:
        assert cardcache.warm("/search/") == 12
    assert sorted(rendered) == sorted(p.arxiv_id for p in quolls)
    with _cards_rendered() as rendered:
        warm = _hits(Client().get("/search/", {"q": "quoll"}).content.decode())
    assert rendered == [] and warm == fresh and warm.count('class="paper-card"') == 12


def test_hidden_papers_and_changed_cards(quolls):
    Paper.objects.filter(pk=quolls[0].pk).update(hidden=True)
    with _cards_rendered() as rendered:
        assert cardcache.warm("/search/") == 11
    assert quolls[0].arxiv_id not in rendered
    Paper.objects.filter(pk=quolls[3].pk).update(title="Quoll survey renamed")  # a new key: rendered anew
    with _cards_rendered() as rendered:
        html = Client().get("/search/", {"q": "quoll"}).content.decode()
    assert rendered == [quolls[3].arxiv_id] and "Quoll survey renamed" in html


def test_newest_first_within_the_budget(quolls, settings):
    Paper.objects.filter(pk=quolls[7].pk).update(announced="2030-01-01")
    settings.WARM_SEARCH_SECONDS = 0
    assert cardcache.warm("/search/") == 0
    settings.WARM_SEARCH_SECONDS = 2
    settings.PAGE_CACHE_MB = 0  # no room: the newest card alone, then it stops
    with _cards_rendered() as rendered:
        assert cardcache.warm("/search/") == 1
    assert rendered == [quolls[7].arxiv_id]
    settings.PAGE_CACHE = False
    assert cardcache.warm("/search/") == 0


def test_a_workers_warm_up_prepares_cards_and_snippet_texts(quolls, settings):
    highlight._flat.cache_clear()
    assert server._warm_search_page() == 12
    assert highlight._flat.cache_info().currsize == 12
    flattened = highlight._flat.cache_info().misses
    with _cards_rendered() as rendered:
        html = Client().get("/search/", {"q": "quoll"}).content.decode()
    assert rendered == [] and highlight._flat.cache_info().misses == flattened and "site 3" in html
    highlight._flat.cache_clear()
    pages.clear()
    settings.WARM_SEARCH_SECONDS = 0
    assert server._warm_search_page() == 0 and highlight._flat.cache_info().currsize == 0


def test_members_keep_their_own_cards(quolls, member):
    votes.upvote(member, quolls[5])
    cardcache.warm("/search/")
    alice = Client(enforce_csrf_checks=True)
    alice.force_login(member)
    with _cards_rendered() as rendered:
        html = alice.get("/search/", {"q": "quoll"}).content.decode()
    assert len(rendered) == 12  # a member's cards are not the anonymous ones warmed up
    hits = _hits(html)
    voted = hits.split(f'id="vote-{quolls[5].pk}"', 1)[1].split("</div>", 1)[0]
    assert 'aria-pressed="true"' in voted and hits.count('aria-pressed="true"') == 1
    tokens = set(re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', hits))
    assert len(tokens) == 1 and "pf-csrf-token-placeholder" not in html
    response = alice.post(f"/papers/{quolls[2].arxiv_id}/vote/", {"action": "up", "csrfmiddlewaretoken": tokens.pop()})
    assert response.status_code in (200, 302) and votes.has_upvoted(member, quolls[2])
    anonymous = _hits(Client().get("/search/", {"q": "quoll"}).content.decode())
    assert "csrfmiddlewaretoken" not in anonymous and "aria-pressed" not in anonymous
