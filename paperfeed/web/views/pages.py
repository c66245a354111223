"""Pages: daily/weekly/monthly lists, trending, the paper page and its Markdown; thin views
over lists.ranking (ordering), web.cards (per-card data in fixed queries) and web.related.

Every page here is served from the page cache (web/pagecache.py) under the version tokens of what
it shows (lists/cache.py), for members too: their votes and saves are put on top of the cached page.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_safe

from paperfeed.accounts import collections as collection_service
from paperfeed.accounts.votes import has_upvoted
from paperfeed.lists import cache as page_cache
from paperfeed.lists import ranking
from paperfeed.papers import arxiv
from paperfeed.papers.models import DailyEntry

from .. import cards, markdown, related
from ..lookups import paper_or_404
from ..pagecache import cached, cached_bytes, index_stamp, markers

PAGE_SIZE = 100


def _category(request: HttpRequest) -> tuple[str | None, str]:
    """(category, error) from ?cat=; a malformed one is reported on the page, not a 500."""
    try:
        return arxiv.clean_category(request.GET.get("cat")), ""
    except arxiv.CategoryError as problem:
        return None, str(problem)


def _scale(make, day) -> ranking.Period | None:
    try:
        return make(day)
    except OverflowError:  # the week around 9999-12-31 ends past the calendar
        return None


def _reader(request: HttpRequest):
    """Whose votes and collections the page shows: nobody's while it is rendered for the cache."""
    return AnonymousUser() if markers(request) else request.user


def _daily_tokens(request: HttpRequest, period: str | None = None, kind: str | None = None) -> tuple | None:
    if period is None:
        request.home_period, tokens = page_cache.home()
        return tokens
    try:
        return page_cache.period_tokens(ranking.parse_period(period))
    except (ranking.PeriodError, OverflowError):
        return None  # the view answers 404


@require_safe
@cached(_daily_tokens)
def daily(request: HttpRequest, period: str | None = None, kind: str | None = None) -> HttpResponse:
    """A day's, week's or month's papers, most upvoted first; "/" shows the newest real list."""
    try:
        current = ranking.parse_period(period) if period else getattr(request, "home_period", None)
        current = current or ranking.default_period()
    except ranking.PeriodError as problem:
        raise Http404(str(problem)) from None
    if kind and current.kind != kind:
        raise Http404(f"{period!r} is not a {kind}")
    category, cat_error = _category(request)
    paginator = Paginator(ranking.listed_papers(current, category), PAGE_SIZE)
    try:
        page = paginator.page(request.GET.get("page") or 1)
    except (PageNotAnInteger, EmptyPage):
        raise Http404("No such page") from None
    papers = list(page.object_list)
    previous, following = ranking.neighbour(current, -1), ranking.neighbour(current, 1)
    # The Day / Week / Month switcher keeps the reader where they are in time.
    scales = {
        "day": _scale(ranking.day_period, current.start if current.kind == "day" else current.end),
        "week": _scale(ranking.week_period, current.start),
        "month": _scale(ranking.month_period, current.start),
    }
    context = {
        "nav": "daily",
        "period": current,
        "previous": previous,
        "following": following,
        "category": category,
        "category_error": cat_error,
        "categories": cards.categories_in(current),
        "cards": cards.build(papers, _reader(request), current),
        "page": page,
        "rank_offset": page.start_index() - 1 if papers else 0,
        "is_home": period is None,
        "so_far": cards.build(ranking.listed_after(current), _reader(request)) if period is None and following else [],
        "min_entries": settings.LIST_MIN_ENTRIES,
        "scales": scales,
        "page_markers": markers(request),
    }
    return render(request, "feeds/daily.html", context, status=400 if cat_error else 200)


@require_safe
@cached(lambda request: page_cache.trending_tokens())
def trending(request: HttpRequest) -> HttpResponse:
    category, cat_error = _category(request)
    items = ranking.trending(limit=50, category=category)
    built = cards.build([item.paper for item in items], _reader(request))
    for card, item in zip(built, items, strict=True):
        card.trend = item.score
    context = {
        "nav": "trending",
        "cards": built,
        "category": category,
        "category_error": cat_error,
        "half_life": ranking.HALF_LIFE_HOURS,
        "window_days": ranking.TRENDING_WINDOW_DAYS,
        "min_entries": settings.LIST_MIN_ENTRIES,
        "categories": getattr(settings, "CATEGORIES", []),
        "page_markers": markers(request),
    }
    return render(request, "feeds/trending.html", context, status=400 if cat_error else 200)


def _paper_tokens(request: HttpRequest, arxiv_id: str) -> tuple:
    return (*page_cache.paper_tokens(arxiv_id), index_stamp())


@require_safe
@cached(_paper_tokens)
def paper(request: HttpRequest, arxiv_id: str) -> HttpResponse:
    obj = paper_or_404(arxiv_id)
    if arxiv_id != obj.arxiv_id:
        # /papers/2604.01234v2/ and old-style case variants: one canonical address per paper.
        return redirect("paper", obj.arxiv_id, permanent=True)
    entries = list(
        DailyEntry.objects.filter(paper=obj, hidden=False).select_related("submitted_by").order_by("day")
    )
    similar = related.similar(obj, limit=6)
    user = _reader(request)
    context = {
        "paper": obj,
        "entries": entries,
        "upvoted": has_upvoted(user, obj),
        "similar": cards.build(similar, user, with_entries=False),
        "collections": list(collection_service.of(user)) if user.is_authenticated else [],
        "containing": collection_service.containing(user, obj) if user.is_authenticated else set(),
        "page_markers": markers(request),
    }
    return render(request, "feeds/paper.html", context)


@require_safe
@cached_bytes(lambda request, arxiv_id: page_cache.paper_tokens(arxiv_id))
def paper_markdown(request: HttpRequest, arxiv_id: str) -> HttpResponse:
    obj = paper_or_404(arxiv_id)
    entries = list(DailyEntry.objects.filter(paper=obj, hidden=False).select_related("submitted_by").order_by("day"))
    text = markdown.render(obj, entries, settings.SITE_URL)
    return HttpResponse(text, content_type="text/markdown; charset=utf-8")
