"""RSS 2.0 and Atom feeds parse cleanly (feedparser) and carry the right papers."""

from __future__ import annotations

import types
from datetime import date

import feedparser
import pytest
from django.utils import timezone

from paperfeed.accounts import collections
from paperfeed.web import related
from tests.factories import HOSTILE_TITLE, list_paper, make_paper

pytestmark = pytest.mark.django_db


def parse(client, url):
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    feed = feedparser.parse(response.content)
    assert not feed.bozo, (url, feed.get("bozo_exception"))
    return response, feed


@pytest.fixture
def day_papers():
    today = timezone.localdate()
    top = make_paper(title="Top paper", categories="cs.CV", imported_upvotes=9, announced=today)
    second = make_paper(title="Second paper", categories="cs.CL", imported_upvotes=2, announced=today)
    for p in (top, second):
        list_paper(p, today)
    return top, second


@pytest.mark.parametrize("ext, version", [("rss", "rss20"), ("atom", "atom10")])
def test_daily_feed(client, day_papers, ext, version):
    response, feed = parse(client, f"/feeds/daily.{ext}")
    assert feed.version == version
    assert [e.title for e in feed.entries] == ["Top paper", "Second paper"]
    top = day_papers[0]
    assert feed.entries[0].link == f"http://testserver/papers/{top.arxiv_id}/"
    assert "Ada Lovelace" in feed.entries[0].summary
    _, filtered = parse(client, f"/feeds/daily.{ext}?cat=cs.CL")
    assert [e.title for e in filtered.entries] == ["Second paper"]


def test_daily_feed_for_a_period_and_bad_input(client, day_papers):
    april = make_paper(title="April paper")
    list_paper(april, date(2021, 4, 2))  # a month none of the fixture's papers (listed today) is in
    _, feed = parse(client, "/feeds/daily.rss?period=2021-04")
    assert "April 2021" in feed.feed.title
    assert [e.title for e in feed.entries] == ["April paper"]
    assert client.get("/feeds/daily.rss?period=2026-13-45").status_code == 404
    assert client.get("/feeds/daily.rss?cat=<x>").status_code == 404


@pytest.mark.parametrize("ext", ["rss", "atom"])
def test_trending_feed(client, day_papers, ext):
    _, feed = parse(client, f"/feeds/trending.{ext}")
    assert [e.title for e in feed.entries] == ["Top paper", "Second paper"]


@pytest.mark.parametrize("ext", ["rss", "atom"])
def test_category_feed(client, day_papers, ext):
    _, feed = parse(client, f"/feeds/category/cs.CV.{ext}")
    assert [e.title for e in feed.entries] == ["Top paper"]
    assert "cs.CV" in feed.feed.title
    assert client.get(f"/feeds/category/not!a!cat.{ext}").status_code == 404


@pytest.mark.parametrize("ext", ["rss", "atom"])
def test_search_feed(client, day_papers, ext, monkeypatch):
    top = day_papers[0]
    calls = []

    def search(q, limit=20):
        calls.append((q, limit))
        return types.SimpleNamespace(hits=[types.SimpleNamespace(paper=top, score=1.0)])

    monkeypatch.setattr(related, "search_service", search)
    _, feed = parse(client, f"/feeds/search.{ext}?q=vision+transformers")
    assert [e.title for e in feed.entries] == ["Top paper"]
    assert calls == [("vision transformers", 50)]
    assert "vision transformers" in feed.feed.title
    _, empty = parse(client, f"/feeds/search.{ext}")  # no query: a valid empty feed saying what to add
    assert empty.entries == [] and calls == [("vision transformers", 50)]


def test_search_feed_with_failing_search_is_empty_not_500(client, monkeypatch):
    def broken(q, limit=20):
        raise RuntimeError("index missing")

    monkeypatch.setattr(related, "search_service", broken)
    _, feed = parse(client, "/feeds/search.rss?q=anything")
    assert feed.entries == []


@pytest.mark.parametrize("ext", ["rss", "atom"])
def test_public_collection_feed(client, member, day_papers, ext):
    shelf = collections.create(member, "My shelf", public=True)
    collections.add(shelf, day_papers[1])
    _, feed = parse(client, f"/u/alice/c/my-shelf.{ext}")
    assert [e.title for e in feed.entries] == ["Second paper"]
    assert "My shelf" in feed.feed.title
    collections.set_public(shelf, False)
    assert client.get(f"/u/alice/c/my-shelf.{ext}").status_code == 404


def test_hostile_and_control_characters_stay_valid(client, is_postgres):
    today = timezone.localdate()
    # XML 1.0 cannot carry these control characters; NUL only where the database can store it
    # (PostgreSQL text refuses NUL, so there it can never reach a feed).
    controls = "\x01\x08" if is_postgres else "\x00\x01\x08"
    bad = make_paper(title=HOSTILE_TITLE + "\x0b\x1b", abstract=f"a{controls}b <b>bold</b>", announced=today, raw=True)
    list_paper(bad, today)
    for url in ("/feeds/daily.rss", "/feeds/daily.atom"):
        response, feed = parse(client, url)
        assert b"<script>" not in response.content
        assert feed.entries[0].title.startswith('Attack <script>alert("t")</script>')  # text, once unescaped
