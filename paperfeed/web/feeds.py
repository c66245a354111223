"""RSS 2.0 and Atom 1.0 feeds (django.contrib.syndication) of the lists people follow.

Daily list, trending, a category, a search query and a public collection. Each RSS class
has an Atom twin. Titles and descriptions are plain text: the syndication framework
escapes them, so hostile titles stay text in every reader.

Each feed names the version tokens of what it lists (``tokens``) and is served from the page cache
under them (web/pagecache.py); the collection feed is not cached.
"""

from __future__ import annotations

from datetime import UTC, datetime, time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed

from paperfeed.accounts import collections as collection_service
from paperfeed.accounts.models import Collection
from paperfeed.discussions.markup import to_text
from paperfeed.discussions.threads import newest
from paperfeed.lists import cache as page_cache
from paperfeed.lists import ranking
from paperfeed.papers import arxiv
from paperfeed.papers.models import Paper

from . import related
from .lookups import paper_or_404
from .pagecache import index_stamp, serve_bytes

FEED_SIZE = 50


def _paper_date(item: Paper) -> datetime:
    """The best date a paper has: a Hugging Face-only listing has no arXiv dates until the backfill,
    yet every feed item must carry one, or readers sort it as brand new (or drop it)."""
    for value in (item.published, item.updated):
        if value is not None:
            return value
    if item.announced is not None:
        return datetime.combine(item.announced, time.min, tzinfo=UTC)
    return item.created_at


def _clean_text(text: str) -> str:
    # XML 1.0 cannot carry most control characters; drop them rather than emit a broken feed.
    return arxiv.CONTROL_RE.sub("", text or "")


class _PaperFeed(Feed):
    feed_type = Rss201rev2Feed

    def __call__(self, request: HttpRequest, *args, **kwargs):
        tokens = self.tokens(request, *args, **kwargs)
        render = super().__call__
        return serve_bytes(request, type(self).__name__, tokens, lambda: render(request, *args, **kwargs))

    def tokens(self, request: HttpRequest, *args, **kwargs) -> tuple | None:
        """The version tokens of what the feed lists (web/pagecache.py); None: not cached."""
        return None

    def item_title(self, item: Paper) -> str:
        return _clean_text(" ".join(item.title.split()))

    def item_description(self, item: Paper) -> str:
        authors = ", ".join(item.authors[:10]) + (" et al." if len(item.authors) > 10 else "")
        return _clean_text(f"{authors}\n\n{item.abstract}")

    def item_link(self, item: Paper) -> str:
        return item.get_absolute_url()

    def item_guid(self, item: Paper) -> str:
        return f"{settings.SITE_URL}{item.get_absolute_url()}"

    item_guid_is_permalink = True

    def item_pubdate(self, item: Paper) -> datetime:
        return _paper_date(item)

    def item_updateddate(self, item: Paper) -> datetime:
        return item.updated or _paper_date(item)

    def item_author_name(self, item: Paper) -> str:
        return _clean_text(item.authors[0]) if item.authors else ""

    def item_categories(self, item: Paper) -> list[str]:
        return item.category_list

    def _category(self, request: HttpRequest) -> str | None:
        try:
            return arxiv.clean_category(request.GET.get("cat"))
        except arxiv.CategoryError as problem:
            raise Http404(str(problem)) from None


class DailyFeed(_PaperFeed):
    """The latest listed day (or ?period=2026-W14), optionally one category (?cat=cs.CV)."""

    def tokens(self, request: HttpRequest) -> tuple | None:
        if not request.GET.get("period"):
            return page_cache.home()[1]
        try:
            return page_cache.period_tokens(ranking.parse_period(request.GET["period"]))
        except (ranking.PeriodError, OverflowError):
            return None

    def get_object(self, request: HttpRequest):
        try:
            period = ranking.parse_period(request.GET["period"]) if request.GET.get("period") else ranking.default_period()
        except ranking.PeriodError as problem:
            raise Http404(str(problem)) from None
        return period, self._category(request)

    def title(self, obj) -> str:
        period, category = obj
        return f"{settings.SITE_NAME}: daily papers, {period.label}" + (f" ({category})" if category else "")

    def link(self, obj) -> str:
        period, category = obj
        return reverse("daily", args=[period.key]) + (f"?cat={category}" if category else "")

    def description(self, obj) -> str:
        return "Papers listed on this day, most upvoted first."

    def items(self, obj) -> list[Paper]:
        period, category = obj
        return list(ranking.listed_papers(period, category)[:FEED_SIZE])


class TrendingFeed(_PaperFeed):
    def tokens(self, request: HttpRequest) -> tuple:
        return page_cache.trending_tokens()

    def get_object(self, request: HttpRequest):
        return self._category(request)

    def title(self, obj) -> str:
        return f"{settings.SITE_NAME}: trending papers" + (f" ({obj})" if obj else "")

    def link(self, obj) -> str:
        return reverse("trending")

    def description(self, obj) -> str:
        return f"Papers ranked by upvotes that lose half their weight every {ranking.HALF_LIFE_HOURS:g} hours."

    def items(self, obj) -> list[Paper]:
        return [item.paper for item in ranking.trending(limit=FEED_SIZE, category=obj)]


class CategoryFeed(_PaperFeed):
    """Newest papers of one arXiv category, by announcement day."""

    def tokens(self, request: HttpRequest, category: str) -> tuple:
        return page_cache.catalog_tokens()

    def get_object(self, request: HttpRequest, category: str) -> str:
        try:
            return arxiv.clean_category(category) or ""
        except arxiv.CategoryError as problem:
            raise Http404(str(problem)) from None

    def title(self, obj: str) -> str:
        return f"{settings.SITE_NAME}: new in {obj}"

    def link(self, obj: str) -> str:
        return reverse("home") + f"?cat={obj}"

    def description(self, obj: str) -> str:
        return f"The newest papers in {obj}."

    def items(self, obj: str) -> list[Paper]:
        return list(Paper.objects.visible().in_category(obj).order_by("-announced", "-arxiv_id")[:FEED_SIZE])


class SearchFeed(_PaperFeed):
    """Results of a search query (?q=…), best first.

    Without a query the feed is valid and empty, and its description says what to add: a feed
    reader shows that sentence, where an error page would only mark the subscription broken.
    """

    def tokens(self, request: HttpRequest) -> tuple:
        return (*page_cache.catalog_tokens(), index_stamp())

    def get_object(self, request: HttpRequest) -> str:
        return " ".join(request.GET.get("q", "").split())[:300]

    def title(self, obj: str) -> str:
        if not obj:
            return f"{settings.SITE_NAME}: search"
        return _clean_text(f"{settings.SITE_NAME}: search “{obj}”")

    def link(self, obj: str) -> str:
        return "/search/" + (f"?{urlencode({'q': obj})}" if obj else "")

    def description(self, obj: str) -> str:
        if not obj:
            return "No search query given: add one to the feed address, e.g. ?q=diffusion+models"
        return _clean_text(f"Papers matching “{obj}”.")

    def items(self, obj: str) -> list[Paper]:
        return related.search(obj, limit=FEED_SIZE) if obj else []


class CollectionFeed(_PaperFeed):
    """A public collection, most recently added first."""

    def get_object(self, request: HttpRequest, username: str, slug: str) -> Collection:
        return get_object_or_404(
            Collection.objects.select_related("user"), user__username=username, slug=slug, public=True
        )

    def title(self, obj: Collection) -> str:
        return _clean_text(f"{settings.SITE_NAME}: {obj.name} by {obj.user.get_username()}")

    def link(self, obj: Collection) -> str:
        return reverse("collection", args=[obj.user.get_username(), obj.slug])

    def description(self, obj: Collection) -> str:
        return _clean_text(f"Papers {obj.user.get_username()} saved to “{obj.name}”.")

    def items(self, obj: Collection) -> list[Paper]:
        return list(collection_service.papers_in(obj)[:FEED_SIZE])


def atom(feed_class: type[_PaperFeed]) -> type[_PaperFeed]:
    """The Atom 1.0 twin of an RSS feed class (Atom wants a subtitle instead of a description)."""

    class AtomFeed(feed_class):
        feed_type = Atom1Feed

        def subtitle(self, obj) -> str:
            return self.description(obj)

    AtomFeed.__name__ = feed_class.__name__.replace("Feed", "AtomFeed")
    return AtomFeed


class DiscussionFeed(Feed):
    """A paper's discussion: its newest visible comments, in Markdown as written (plain text)."""

    feed_type = Rss201rev2Feed

    def __call__(self, request: HttpRequest, *args, **kwargs):
        # A comment added, edited, deleted or hidden bumps the paper's token (discussions/freshness.py).
        tokens = page_cache.paper_tokens(kwargs.get("arxiv_id", ""))
        render = super().__call__
        return serve_bytes(request, type(self).__name__, tokens, lambda: render(request, *args, **kwargs))

    def get_object(self, request: HttpRequest, arxiv_id: str) -> Paper:
        return paper_or_404(arxiv_id)

    def title(self, obj: Paper) -> str:
        return _clean_text(f"{settings.SITE_NAME}: discussion of " + " ".join(obj.title.split()))

    def link(self, obj: Paper) -> str:
        return reverse("discussion", args=[obj.arxiv_id])

    def description(self, obj: Paper) -> str:
        return f"Comments on arXiv:{obj.arxiv_id}, newest first."

    def items(self, obj: Paper) -> list:
        return newest(obj, FEED_SIZE)

    def item_title(self, item) -> str:
        return _clean_text(f"{item.author.get_username()} on " + " ".join(item.paper.title.split()))[:200]

    def item_description(self, item) -> str:
        return _clean_text(to_text(item.body))

    def item_link(self, item) -> str:
        return f"{item.paper.get_absolute_url()}#comment-{item.pk}"

    def item_guid(self, item) -> str:
        return f"{settings.SITE_URL}{self.item_link(item)}"

    item_guid_is_permalink = True

    def item_pubdate(self, item) -> datetime:
        return item.created_at

    def item_updateddate(self, item) -> datetime:
        return item.edited_at or item.created_at

    def item_author_name(self, item) -> str:
        return item.author.get_username()

