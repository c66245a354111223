"""The search page: GET /search/?q=&cat=&author=&after=&before=&sort=&group=&page=

Thin: parameters go to :func:`paperfeed.search.service.search` as they are (the service
copes with anything), arXiv ids redirect to the paper page, everything else renders
``search/results.html``.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from paperfeed.search import service

from ..cards import build

PAGE_SIZE = 20
MAX_PARAM = 1000


def _param(request: HttpRequest, name: str) -> str:
    return (request.GET.get(name) or "")[:MAX_PARAM].strip()


def search_page(request: HttpRequest) -> HttpResponse:
    q = (request.GET.get("q") or "")[:20000]
    try:
        page = max(1, min(50, int(request.GET.get("page") or 1)))
    except ValueError:
        page = 1
    params = {name: _param(request, name) for name in ("cat", "author", "after", "before", "sort", "group")}
    results = service.search(
        q, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE, category=params["cat"] or None,
        author=params["author"] or None, after=params["after"] or None, before=params["before"] or None,
        sort=params["sort"] or None, group=params["group"] or None,
    )
    if results.redirect is not None:
        return redirect("paper", results.redirect.arxiv_id)
    cards = _cards([hit.paper for hit in results.hits], request.user)
    context = {
        "nav": "search",
        "search_query": q[:300],
        "q": q,
        "params": params,
        "results": results,
        "rows": [(hit, cards.get(hit.paper.pk)) for hit in results.hits],
        "page": page,
        "has_previous": page > 1,
        "has_next": page * PAGE_SIZE < results.total and page < 50,
        "rank_offset": (page - 1) * PAGE_SIZE,
        "sorts": [("relevance", "Relevance"), ("newest", "Newest"), ("upvoted", "Most upvoted")],
    }
    return render(request, "search/results.html", context)


def _cards(papers, user) -> dict:
    """Vote state per paper from the web UI's card builder."""

    try:
        return {card.paper.pk: card for card in build(papers, user, with_entries=False)}
    except Exception:  # a card detail must not take the results down
        return {}
