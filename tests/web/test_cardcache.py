"""The card cache's key holds everything a card shows: no change to a paper is ever served stale.

Every concrete field of Paper is changed in turn (plus the attached comment count and the vote
count shown); the card from the cache must then equal a fresh rendering of the card template.
A field the template reads but the key lacks would serve the old card and fail here.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from django.db import models

from paperfeed.lists.cache import pages
from paperfeed.papers.models import Paper
from paperfeed.web import cardcache
from tests.factories import make_paper

pytestmark = pytest.mark.django_db

READERS = [{"upvoted": False, "member": False}, {"upvoted": False, "member": True}, {"upvoted": True, "member": True}]


def _other(field: models.Field, value):
    """A different valid value for ``field``."""
    if isinstance(field, models.BooleanField):
        return not value
    if isinstance(field, models.IntegerField):
        return (value or 0) + 7
    if isinstance(field, models.DateTimeField):
        return (value or datetime(2026, 1, 1)) + timedelta(days=3)
    if isinstance(field, models.DateField):
        return (value or date(2026, 1, 1)) + timedelta(days=3)
    if isinstance(field, models.JSONField):
        return [*value, "Grace Hopper"] if isinstance(value, list) else {"changed": True}
    if isinstance(field, models.URLField):
        return "https://example.org/changed"
    if field.name == "categories":
        return "math.OC cs.RO"
    if field.name == "arxiv_id":
        return "2601.09999"
    return f"{value}x" if value else "changed"


def _fields() -> list[str]:
    return [f.name for f in Paper._meta.concrete_fields if f.name != "id"]


@pytest.fixture
def paper():
    pages.clear()
    p = make_paper("2601.00042", "Quokkas <b>and</b> $\\alpha$-learning", authors=("Ada Lovelace", "Alan Turing"),
                   categories=("cs.LG", "stat.ML"), code_url="https://github.com/x/y", github_stars=12,
                   organization="acme", project_url="https://acme.example/p", imported_upvotes=3)
    p.num_comments = 2
    yield p
    pages.clear()


@pytest.mark.parametrize("name", [*_fields(), "num_comments"])
def test_a_changed_field_never_serves_the_old_card(paper, name):
    for reader in READERS:
        cached_before = cardcache.card_html(paper, score=paper.upvotes, cat_base="/search/", **reader)
        field = Paper._meta.get_field(name) if name != "num_comments" else models.IntegerField()
        setattr(paper, name, _other(field, getattr(paper, name)))
        served = cardcache.card_html(paper, score=paper.upvotes, cat_base="/search/", **reader)
        fresh = cardcache._render(paper, paper.upvotes, "/search/",
                                  ("voted" if reader["upvoted"] else "member") if reader["member"] else "anonymous")
        assert served == fresh, name
        assert cached_before  # the first rendering was cached under the old values


def test_the_key_covers_what_the_card_shows(paper):
    # The test above only bites if changes show: these fields do appear on a card.
    before = cardcache.card_html(paper, score=5, upvoted=False, member=False, cat_base="/search/")
    for name in ("title", "authors", "categories", "github_stars", "organization", "announced", "arxiv_id"):
        setattr(paper, name, _other(Paper._meta.get_field(name), getattr(paper, name)))
    after = cardcache.card_html(paper, score=5, upvoted=False, member=False, cat_base="/search/")
    assert after != before and "Grace Hopper" in after and "math.OC" in after and "2601.09999" in after
    assert cardcache.card_html(paper, score=6, upvoted=False, member=False, cat_base="/search/").count(">6<") == 1


def test_readers_get_their_own_variant(paper):
    anonymous = cardcache.card_html(paper, score=3, upvoted=False, member=False)
    member = cardcache.card_html(paper, score=3, upvoted=False, member=True)
    voted = cardcache.card_html(paper, score=3, upvoted=True, member=True)
    assert "/accounts/login/?next=" in anonymous and "csrfmiddlewaretoken" not in anonymous
    assert 'aria-pressed="false"' in member and 'class="save-link"' in member and "More like this" in member
    assert 'aria-pressed="true"' in voted and cardcache.CSRF_PLACEHOLDER in voted
    assert "&lt;b&gt;and&lt;/b&gt;" in anonymous and "<b>and" not in anonymous


def test_page_cache_off_renders_every_card(paper, settings):
    settings.PAGE_CACHE = False
    html = cardcache.card_html(paper, score=3, upvoted=False, member=False)
    assert "2601.00042" in html and pages.get(cardcache._key(paper, 3, "/", "anonymous")) is None
    settings.PAGE_CACHE = True
    assert cardcache.card_html(paper, score=3, upvoted=False, member=False) == html
    assert pages.get(cardcache._key(paper, 3, "/", "anonymous")) == html
