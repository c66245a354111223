"""What goes into a digest: the period it covers and the papers for one subscriber."""

from __future__ import annotations

from datetime import date, timedelta

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


def build(subscription: Subscription, period: ranking.Period) -> DigestContent:
    papers = papers_for(subscription, period)
    picks = []
    if subscription.include_picks and subscription.user_id:
        shown = {p.pk for p in papers}
        # A daily digest's picks look back a week, so a quiet day still has some.
        start = min(period.start, period.end - timedelta(days=6))
        picks = [
            p for p in picks_for(subscription.user, window=(start, period.end),
                                 categories=subscription.categories or None, limit=int(settings.DIGEST_MAX_PICKS) * 2)
            if p.paper.pk not in shown
        ][: int(settings.DIGEST_MAX_PICKS)]
    return DigestContent(period, papers, picks)
