"""Paper cards rendered once per process and reused while everything they show is unchanged.

A card (``partials/paper_card.html`` and its includes) is a pure function of the paper values
named in :data:`SHOWN`, the vote count shown, where its category chips point, and the reader:
anonymous, or a member who has or has not upvoted it. So the cache key *is* those values: an
edit, a vote, a new comment or a thumbnail gives a new key and the next page renders the new card;
there is no token to read and nothing to invalidate (old cards age out of the process LRU,
:data:`paperfeed.lists.cache.pages`, with the cached pages; ``PAGE_CACHE=0`` turns both off).

Members share one rendering per (paper, voted or not): the only per-member parts of a card are
their vote state and the CSRF token in its forms, and the token is put in per response
(rendered as :data:`paperfeed.web.pagecache.CSRF_PLACEHOLDER`). A list of cards that renders
``partials/paper_card.html`` directly must show exactly what :func:`card_html` returns; a test
changes every field of a paper and checks that the key changes with everything the card shows.

A web worker renders the anonymous search cards of the newest papers while it warms up
(:func:`warm`), so its first pages find them as a long-running worker does.
"""

from __future__ import annotations

import time
from types import SimpleNamespace

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.template.loader import get_template
from django.utils.safestring import SafeString, mark_safe

from paperfeed.lists.cache import pages
from paperfeed.papers.models import Paper

from .cards import Card, build
from .pagecache import CSRF_PLACEHOLDER

TEMPLATE = "partials/paper_card.html"
# What the card template reads from the paper (num_comments is attached by web/cards.build).
SHOWN = ("pk", "arxiv_id", "version", "title", "authors", "announced", "categories", "primary_category",
         "thumbnail", "code_url", "project_url", "github_stars", "organization", "organization_name",
         "num_comments")
_ANONYMOUS = AnonymousUser()
_MEMBER = SimpleNamespace(is_authenticated=True)


def _key(paper: Paper, score: int | float, cat_base: str, reader: str) -> tuple:
    values = tuple(tuple(v) if isinstance(v, list) else v for v in (getattr(paper, name, None) for name in SHOWN))
    return ("card", reader, cat_base, score, values)


def _render(paper: Paper, score: int | float, cat_base: str, reader: str) -> str:
    context = {"paper": paper, "score": score, "cat_base": cat_base, "upvoted": reader == "voted",
               "user": _ANONYMOUS if reader == "anonymous" else _MEMBER, "csrf_token": CSRF_PLACEHOLDER}
    return get_template(TEMPLATE).render(context)


def card_html(paper: Paper, *, score: int | float, upvoted: bool, member: bool, cat_base: str = "/") -> str:
    """The card as the given reader sees it, with :data:`CSRF_PLACEHOLDER` in a member's forms."""
    reader = ("voted" if upvoted else "member") if member else "anonymous"
    if not settings.PAGE_CACHE:
        return _render(paper, score, cat_base, reader)
    key = _key(paper, score, cat_base, reader)
    html = pages.get(key)
    if html is None:
        html = _render(paper, score, cat_base, reader)
        pages.put(key, html, 2 * len(html))
    return html


def cards_for(request: HttpRequest, cards: list[Card], cat_base: str) -> dict[int, SafeString]:
    """Each card's HTML for this reader by paper pk, the request's CSRF token in a member's forms."""
    member = bool(request.user.is_authenticated)
    token = get_token(request) if member else ""
    out = {}
    for card in cards:
        html = card_html(card.paper, score=card.score, upvoted=card.upvoted, member=member, cat_base=cat_base)
        out[card.paper.pk] = mark_safe(html.replace(CSRF_PLACEHOLDER, token) if member else html)
    return out


def warm(cat_base: str) -> int:
    """Render the anonymous cards of the newest visible papers as the search page shows them
    (category chips pointing to ``cat_base``); how many are cached now.

    Why: search results come from the whole corpus, so a fresh worker renders several cards for
    each of its first thousands of pages (0.35-0.5 ms each, a tenth of a new-query page on the
    sample), where a long-running worker finds nearly all of them cached. Bounded by
    ``WARM_SEARCH_SECONDS`` of this thread's CPU and by half the page cache's memory, so the pages
    keep the rest; cards are exact by their key, so one rendered here is one a reader would get.
    """
    if not settings.PAGE_CACHE or settings.WARM_SEARCH_SECONDS <= 0:
        return 0
    started, room = time.thread_time(), settings.PAGE_CACHE_MB * 1024 * 1024 // 2
    newest = Paper.objects.visible().order_by("-announced", "-pk")
    cached = offset = 0
    while papers := list(newest[offset: offset + 200]):
        offset += len(papers)
        for card in build(papers, _ANONYMOUS, with_entries=False):
            html = card_html(card.paper, score=card.score, upvoted=False, member=False, cat_base=cat_base)
            cached += 1
            room -= 2 * len(html)
            if room <= 0 or time.thread_time() - started > settings.WARM_SEARCH_SECONDS:
                return cached
    return cached
