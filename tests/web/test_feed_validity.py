"""Every feed the hub publishes is valid RSS 2.0 / Atom 1.0, and every item carries a date.

Two checks per feed: feedparser reads it without complaint (``bozo`` is false), and a validator
checks the elements the specifications require (RSS 2.0: channel title/link/description, item
title, link, guid and an RFC 822 pubDate; RFC 4287: feed and entry id, title, updated in RFC 3339,
an alternate link). The papers include the awkward ones: a Hugging Face-only listing with no arXiv
dates or category, and a paper with nothing but its announcement day.
"""

from __future__ import annotations

from datetime import datetime
from email.utils import parsedate_to_datetime

import feedparser
import pytest
from django.urls import reverse
from django.utils import timezone
from lxml import etree

from paperfeed.accounts import collections
from tests.factories import list_paper, make_paper

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def mixed_papers(member):
    today = timezone.localdate()
    arxiv_paper = make_paper(title="Full arXiv metadata", categories="cs.CL", announced=today, imported_upvotes=3)
    hf_only = make_paper(title="Hugging Face only", categories=[], announced=None, published=None, updated=None)
    announced_only = make_paper(title="Announced only", categories="cs.CL", announced=today, published=None,
                                updated=None)
    for paper in (arxiv_paper, hf_only, announced_only):
        list_paper(paper, today)
    shelf = collections.create(member, "Shelf", public=True)
    for paper in (arxiv_paper, hf_only, announced_only):
        collections.add(shelf, paper)
    return arxiv_paper, hf_only, announced_only


def feed_urls() -> list[str]:
    urls = []
    for ext in ("rss", "atom"):
        urls += [f"/feeds/daily.{ext}", f"/feeds/trending.{ext}", f"/feeds/category/cs.CL.{ext}",
                 f"/feeds/search.{ext}?q=metadata", f"/feeds/search.{ext}", f"/feeds/search.{ext}?q=",
                 f"/u/alice/c/shelf.{ext}"]
    return urls


def validate_rss(root: etree._Element) -> list[str]:
    problems = []
    channel = root.find("channel")
    if root.tag != "rss" or root.get("version") != "2.0" or channel is None:
        return ["not an RSS 2.0 document"]
    problems += [f"channel lacks <{name}>" for name in ("title", "link") if not (channel.findtext(name) or "").strip()]
    if channel.find("description") is None:  # required, though it may be empty
        problems.append("channel lacks <description>")
    for n, item in enumerate(channel.findall("item")):
        for name in ("title", "link", "guid", "pubDate"):
            if not (item.findtext(name) or "").strip():
                problems.append(f"item {n} lacks <{name}>")
        stamp = item.findtext("pubDate")
        if stamp:
            try:
                if parsedate_to_datetime(stamp).tzinfo is None:
                    problems.append(f"item {n} pubDate has no time zone: {stamp}")
            except (TypeError, ValueError):
                problems.append(f"item {n} pubDate is not RFC 822: {stamp}")
    return problems


def validate_atom(root: etree._Element) -> list[str]:
    if root.tag != f"{ATOM}feed":
        return ["not an Atom 1.0 document"]
    problems = _atom_required(root, "feed")
    for n, entry in enumerate(root.findall(f"{ATOM}entry")):
        problems += _atom_required(entry, f"entry {n}")
        if not any(link.get("rel", "alternate") == "alternate" for link in entry.findall(f"{ATOM}link")):
            problems.append(f"entry {n} lacks an alternate link")
    return problems


def _atom_required(element: etree._Element, where: str) -> list[str]:
    problems = [f"{where} lacks <{name}>" for name in ("id", "title", "updated")
                if element.find(f"{ATOM}{name}") is None]
    stamp = element.findtext(f"{ATOM}updated")
    if stamp:
        try:
            if datetime.fromisoformat(stamp).tzinfo is None:
                problems.append(f"{where} updated has no time zone: {stamp}")
        except ValueError:
            problems.append(f"{where} updated is not RFC 3339: {stamp}")
    return problems


@pytest.mark.parametrize("url", feed_urls())
def test_every_feed_is_valid_and_dated(client, mixed_papers, url):
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo, (url, parsed.get("bozo_exception"))
    root = etree.fromstring(response.content)
    problems = validate_rss(root) if url.split("?")[0].endswith(".rss") else validate_atom(root)
    assert problems == [], (url, problems)
    for entry in parsed.entries:
        assert entry.get("published_parsed") or entry.get("updated_parsed"), (url, entry.title)


def test_hugging_face_only_paper_is_dated_by_its_listing(client, mixed_papers):
    _, hf_only, announced_only = mixed_papers
    parsed = feedparser.parse(client.get("/u/alice/c/shelf.rss").content)
    dates = {e.title: e.published_parsed for e in parsed.entries}
    assert dates["Announced only"][:3] == announced_only.announced.timetuple()[:3]
    assert dates["Hugging Face only"][:3] == hf_only.created_at.timetuple()[:3]


def test_validator_catches_an_undated_item():
    broken = etree.fromstring(b"<rss version='2.0'><channel><title>t</title><link>http://x/</link><description/>"
                              b"<item><title>a</title><link>http://x/a</link><guid>http://x/a</guid></item>"
                              b"</channel></rss>")
    assert validate_rss(broken) == ["item 0 lacks <pubDate>"]
    atom = etree.fromstring(b"<feed xmlns='http://www.w3.org/2005/Atom'><id>x</id><title>t</title>"
                            b"<updated>2026-01-01T00:00:00</updated></feed>")
    assert validate_atom(atom) == ["feed updated has no time zone: 2026-01-01T00:00:00"]


def test_empty_search_feed_says_what_to_add(client):
    parsed = feedparser.parse(client.get(reverse("feed_search")).content)
    assert parsed.entries == []
    assert "?q=" in parsed.feed.description
