"""GET /search/: the page, its form, highlights, group chips, redirects and hostile input."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from paperfeed.search.sync import sync_indexes
from tests.factories import make_paper

from .test_service import BAD

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def corpus(index_env):
    make_paper("2603.11001", "Self-supervised speech representation learning with quokkas",
               "We learn speech representations without labels from quokka recordings.",
               authors=("Yann LeCun",), categories=("cs.CL",), announced=date(2026, 3, 2))
    make_paper("2603.11002", "Semi-supervised image segmentation with few labels", categories=("cs.CV",),
               announced=date(2026, 3, 3))
    make_paper("2603.11004", 'Sorting <script>alert("t")</script> quokka', "A sorting <b>abstract</b>.",
               categories=("cs.DS",), announced=date(2026, 3, 5), raw=True)
    sync_indexes(progress=False)


def test_results_page(client, corpus):
    response = client.get(reverse("search"), {"q": "quokka speech"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Self-supervised speech representation learning with quokkas" in html
    assert "<mark>quokka</mark>" in html  # highlighted snippet
    assert '<form class="search-form"' in html and '<label for="search-cat">' in html
    assert 'value="quokka speech"' in html
    assert "<script>alert" not in html and "&lt;script&gt;" in html


def test_filters_from_the_form(client, corpus):
    html = client.get("/search/", {"q": "supervised", "cat": "cs.CV"}).content.decode()
    assert "Semi-supervised image segmentation" in html and "speech representation" not in html
    html = client.get("/search/", {"q": "supervised", "author": "Yann LeCun", "sort": "newest"}).content.decode()
    assert "speech representation" in html and "Semi-supervised image" not in html
    assert '<option value="newest" selected>' in html


def test_arxiv_id_redirects_to_the_paper_page(client, corpus):
    for q in ("2603.11002", "arXiv:2603.11002v3", "https://arxiv.org/abs/2603.11002"):
        response = client.get("/search/", {"q": q})
        assert response.status_code == 302 and response["Location"] == reverse("paper", args=["2603.11002"])


@pytest.mark.parametrize("query", BAD)
def test_bad_queries_render(client, corpus, query):
    response = client.get("/search/", {"q": query})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="notice"' in html or 'class="paper-list"' in html


@pytest.mark.parametrize("params", [{"page": "x"}, {"page": "-3"}, {"page": "99999"}, {"after": "nope"},
                                    {"sort": "<script>"}, {"group": "\x00"}, {"cat": "a" * 5000}])
def test_bad_parameters_render(client, corpus, params):
    response = client.get("/search/", {"q": "supervised", **params})
    assert response.status_code == 200
    assert b"<script>" not in response.content.split(b"<main")[1]


def test_empty_search_page(client, corpus):
    response = client.get("/search/")
    assert response.status_code == 200 and b"Type some words" in response.content
