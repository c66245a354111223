"""Long queries: a pasted abstract finds its own paper first, on the service, the API (GET and
POST) and the web page (a POST form with a CSRF token); past MAX_QUERY_CHARS the API says so."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from paperfeed.search import service
from paperfeed.search.query import MAX_QUERY_CHARS

pytestmark = pytest.mark.django_db(transaction=True)

PICKS = (3, 57, 120, 201)  # papers of the subset whose abstracts are pasted


@pytest.fixture
def corpus(load_subset, subset):
    load_subset()
    return subset


@pytest.mark.parametrize("pick", PICKS)
def test_a_pasted_abstract_finds_its_paper_first(corpus, pick):
    paper = corpus[pick]
    results = service.search(paper["abstract"])
    assert results.hits[0].paper.arxiv_id == paper["id"]
    assert len(results.hits) > 1  # and its neighbours after it


def test_title_and_abstract_pasted_together(corpus):
    paper = corpus[PICKS[0]]
    results = service.search(f"{paper['title']}\n\n{paper['abstract']}")
    assert results.hits[0].paper.arxiv_id == paper["id"]


def test_api_get_and_post_take_long_queries(client, corpus):
    paper = corpus[PICKS[1]]
    got = client.get("/api/papers/search", {"q": paper["abstract"]})
    assert got.status_code == 200 and got.json()[0]["paper"]["id"] == paper["id"]
    posted = client.post("/api/papers/search", {"q": paper["abstract"], "limit": 5, "groups": True},
                         content_type="application/json")
    assert posted.status_code == 200, posted.content
    body = posted.json()
    assert body["results"][0]["paper"]["id"] == paper["id"] and len(body["results"]) <= 5
    assert body["degraded"] is False and "X-Search-Degraded" not in posted


def test_api_refuses_past_the_limit_with_a_sentence(client, corpus):
    at_limit = (corpus[PICKS[2]]["abstract"] + " ") * 20
    ok = client.post("/api/papers/search", {"q": at_limit[:MAX_QUERY_CHARS]}, content_type="application/json")
    assert ok.status_code == 200 and ok.json()[0]["paper"]["id"] == corpus[PICKS[2]]["id"]
    for response in (client.post("/api/papers/search", {"q": "x" * (MAX_QUERY_CHARS + 1)},
                                 content_type="application/json"),
                     client.get("/api/papers/search", {"q": "x" * (MAX_QUERY_CHARS + 1)})):
        assert response.status_code == 422
        assert "at most 10000 characters" in response.json()["error"]


def test_the_page_posts_a_pasted_abstract_with_csrf(corpus):
    browser = Client(enforce_csrf_checks=True)
    form = browser.get("/search/").content.decode()
    assert 'name="q"' in form and "<textarea" in form and "Paste an abstract" in form
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
    paper = corpus[PICKS[3]]
    text = (paper["abstract"] + " ") * 4  # ~4,000 characters: too long for a comfortable URL
    refused = browser.post("/search/", {"q": text})
    assert refused.status_code == 403  # no token, no search
    response = browser.post("/search/", {"q": text, "csrfmiddlewaretoken": token})
    assert response.status_code == 200
    html = response.content.decode()
    first = re.search(r'<li class="search-hit">.*?href="/papers/([0-9.]+)', html, re.S).group(1)
    assert first == paper["id"]
    assert "Results for" in html and 'id="search-long"' in html


def test_posted_results_page_by_posting_again(corpus):
    browser = Client(enforce_csrf_checks=True)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', browser.get("/search/").content.decode()).group(1)
    query = "learning " * 200
    first = browser.post("/search/", {"q": query, "csrfmiddlewaretoken": token}).content.decode()
    assert 'name="page" value="2"' in first  # the pager is a form, the text never goes into a link
    second = browser.post("/search/", {"q": query, "page": "2", "csrfmiddlewaretoken": token}).content.decode()
    ids = [re.findall(r'<li class="search-hit">.*?href="/papers/([0-9.]+)', html, re.S) for html in (first, second)]
    assert ids[0] and ids[1] and not set(ids[0]) & set(ids[1])
