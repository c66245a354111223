"""What goes into a digest: the period it covers and, for one subscriber, three sections.

*Top of the day* (or week) is the period's list in the subscriber's categories and keywords,
most upvoted first. *Trending* is what the community is voting up right now (time-decayed votes,
:func:`paperfeed.lists.ranking.trending`) as of the period's end, in the same interests, minus
what the top list already shows. *For you* holds the personal picks. No paper appears twice.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from paperfeed.lists import ranking
from paperfeed.papers.models import DailyEntry, Paper

from .emails import DigestContent
from .models import Subscription
from .recommendations import picks_for


def digest_period(frequency: str, today: date | None = None) -> ranking.Period:
    """Daily: the newest listing day up to today. Weekly: the last complete ISO week."""
    today = today or timezone.localdate()
    if frequency == Subscription.Frequency.WEEKLY:
        return ranking.week_period(today - timedelta(days=7))
    newest_listing = (
        DailyEntry.objects.filter(day__lte=today, hidden=False).order_by("-day").values_list("day", flat=True).first()
    )
    newest_announced = (
        Paper.objects.visible().filter(announced__lte=today).order_by("-announced")
        .values_list("announced", flat=True).first()
    )
    newest = max(filter(None, [newest_listing, newest_announced]), default=today)
    return ranking.day_period(newest)


def period_key(frequency: str, period: ranking.Period) -> str:
    return f"{frequency}:{period.key}"


def period_from_key(key: str) -> tuple[str, ranking.Period]:
    frequency, _, value = key.partition(":")
    return frequency, ranking.parse_period(value)


def papers_for(subscription: Subscription, period: ranking.Period, limit: int | None = None) -> list[Paper]:
    """The period's papers in the subscriber's categories/keywords, most upvoted first."""
    qs = (
        Paper.objects.visible()
        .announced_or_listed(period.start, period.end)
        .in_categories(subscription.categories)
    )
    if subscription.keywords:
        keyword_q = Q()
        for word in subscription.keywords:
            keyword_q |= Q(title__icontains=word) | Q(abstract__icontains=word)
        qs = qs.filter(keyword_q)
    qs = qs.with_score().order_by("-score", "-announced", "arxiv_id")
    return list(qs[: limit or int(settings.DIGEST_MAX_PAPERS)])


def _wanted(subscription: Subscription, paper: Paper) -> bool:
    """The subscriber's categories and keywords, as ``papers_for`` applies them in the database."""
    if subscription.categories and not set(subscription.categories) & set(paper.category_list):
        return False
    text = f"{paper.title} {paper.abstract}".lower()
    return not subscription.keywords or any(word.lower() in text for word in subscription.keywords)


def trending_for(subscription: Subscription, period: ranking.Period, exclude: set[int]) -> list[Paper]:
    """The community's trending papers as of the period's end, in the subscriber's interests."""
    end = datetime.combine(period.end + timedelta(days=1), time.min, tzinfo=timezone.get_current_timezone())
    at = min(end, timezone.now())
    limit = int(settings.DIGEST_MAX_TRENDING)
    items = ranking.trending(limit=max(limit * 20, 100), at=at)
    return [item.paper for item in items if item.paper.pk not in exclude and _wanted(subscription, item.paper)][:limit]


def build(subscription: Subscription, period: ranking.Period) -> DigestContent:
    papers = papers_for(subscription, period)
    shown = {p.pk for p in papers}
    trending = trending_for(subscription, period, shown)
    shown |= {p.pk for p in trending}
    picks = []
    if subscription.include_picks and subscription.user_id:
        # A daily digest's picks look back a week, so a quiet day still has some.
        start = min(period.start, period.end - timedelta(days=6))
        picks = [
            p for p in picks_for(subscription.user, window=(start, period.end),
                                 categories=subscription.categories or None, limit=int(settings.DIGEST_MAX_PICKS) * 2)
            if p.paper.pk not in shown
        ][: int(settings.DIGEST_MAX_PICKS)]
    return DigestContent(period, papers, picks, trending)
