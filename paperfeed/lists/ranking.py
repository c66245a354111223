"""Which papers a day, week or month lists, and in what order; and what is trending.

Both pages and the JSON API call these, so the web page and ``/api/daily_papers`` always
agree.

A "real" list is a day with at least ``settings.LIST_MIN_ENTRIES`` visible entries: the home page
shows the newest one, so a few submissions made so far today never hide yesterday's full list
(they show in a strip above it), and trending counts time from it when the hub has been quiet.
Previous/next step to the nearest period that has entries, never past today.
"""

from __future__ import annotations

import calendar
import math
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db.models import Count, Max, Min, QuerySet
from django.utils import timezone

from paperfeed.accounts.models import Upvote
from paperfeed.papers.models import DailyEntry, Paper

_DAY_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_WEEK_RE = re.compile(r"^(\d{4})-W(\d{1,2})$", re.IGNORECASE)
_MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")

# Trending: every vote loses half its weight every HALF_LIFE_HOURS. Imported votes carry no
# timestamps, so they count as cast on the day the paper was listed.
HALF_LIFE_HOURS = 36.0
TRENDING_WINDOW_DAYS = 14


class PeriodError(ValueError):
    """A period that cannot be shown: malformed, impossible (2026-13-45) or beyond the calendar."""


@dataclass(frozen=True)
class Period:
    kind: str  # "day" | "week" | "month"
    start: date
    end: date  # inclusive
    label: str

    @property
    def key(self) -> str:
        if self.kind == "day":
            return self.start.isoformat()
        if self.kind == "week":
            year, week, _ = self.start.isocalendar()
            return f"{year}-W{week:02d}"
        return self.start.strftime("%Y-%m")

    def previous(self) -> Period:
        """The period before this one; PeriodError before year 1."""
        try:
            return self._step(-1)
        except OverflowError:
            raise PeriodError(f"No {self.kind} before {self.key}") from None

    def next(self) -> Period:
        """The period after this one; PeriodError past year 9999."""
        try:
            return self._step(1)
        except OverflowError:
            raise PeriodError(f"No {self.kind} after {self.key}") from None

    def _step(self, direction: int) -> Period:
        if direction < 0:
            return self._previous()
        return self._next()

    def _previous(self) -> Period:
        if self.kind == "day":
            return day_period(self.start - timedelta(days=1))
        if self.kind == "week":
            return week_period(self.start - timedelta(days=7))
        return month_period((self.start - timedelta(days=1)).replace(day=1))

    def _next(self) -> Period:
        if self.kind == "day":
            return day_period(self.start + timedelta(days=1))
        if self.kind == "week":
            return week_period(self.start + timedelta(days=7))
        return month_period(self.end + timedelta(days=1))


def day_period(day: date) -> Period:
    return Period("day", day, day, day.strftime("%A, %B %-d, %Y"))


def week_period(any_day: date) -> Period:
    start = any_day - timedelta(days=any_day.weekday())
    year, week, _ = start.isocalendar()
    return Period("week", start, start + timedelta(days=6), f"Week {week}, {year}")


def month_period(first: date) -> Period:
    first = first.replace(day=1)
    last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
    return Period("month", first, last, first.strftime("%B %Y"))


def parse_period(value: str) -> Period:
    """'2026-04-02', '2026-W14' or '2026-04' → Period; PeriodError with a clear message otherwise."""
    text = (value or "").strip()
    try:
        if m := _DAY_RE.match(text):
            return day_period(date(int(m[1]), int(m[2]), int(m[3])))
        if m := _WEEK_RE.match(text):
            return week_period(date.fromisocalendar(int(m[1]), int(m[2]), 1))
        if m := _MONTH_RE.match(text):
            return month_period(date(int(m[1]), int(m[2]), 1))
    except ValueError as error:
        raise PeriodError(f"{text!r} is not a valid date: {error}") from None
    except OverflowError:
        raise PeriodError(f"{text!r} is beyond the calendar (years 1 to 9999)") from None
    raise PeriodError(f"{text[:40]!r} is not a day (2026-04-02), week (2026-W14) or month (2026-04)")


def _visible_entries() -> QuerySet[DailyEntry]:
    return DailyEntry.objects.filter(hidden=False, paper__hidden=False)


def latest_day() -> date | None:
    """The newest day with a visible entry."""
    return _visible_entries().aggregate(day=Max("day"))["day"]


def latest_full_day(today: date | None = None) -> date | None:
    """The newest day up to today with a real list (LIST_MIN_ENTRIES entries or more).

    A hub where no day has that many yet (a new one, a test) has no full day: then the newest
    listed day stands in.
    """
    today = today or timezone.localdate()
    full = (
        _visible_entries()
        .filter(day__lte=today)
        .values("day")
        .annotate(n=Count("id"))
        .filter(n__gte=max(1, int(settings.LIST_MIN_ENTRIES)))
        .order_by("-day")
        .values_list("day", flat=True)
        .first()
    )
    return full or latest_day()


def default_period() -> Period:
    """The home page's day: the newest real list (today's once it has enough entries)."""
    return day_period(latest_full_day() or timezone.localdate())


def listed_after(period: Period, limit: int = 10) -> list[Paper]:
    """Papers listed after the period up to today, most upvoted first: the home page's "so far" strip."""
    today = timezone.localdate()
    if period.end >= today:
        return []
    return list(listed_papers(Period("day", period.end + timedelta(days=1), today, "so far"))[:limit])


def _period_like(period: Period, day: date) -> Period | None:
    try:
        if period.kind == "day":
            return day_period(day)
        if period.kind == "week":
            return week_period(day)
        return month_period(day)
    except OverflowError:  # the week around 9999-12-31 ends past the calendar
        return None


def neighbour(period: Period, direction: int) -> Period | None:
    """The nearest period before (direction < 0) or after it that has entries; none after today."""
    entries = _visible_entries()
    if direction < 0:
        day = entries.filter(day__lt=period.start).aggregate(day=Max("day"))["day"]
    else:
        day = entries.filter(day__gt=period.end, day__lte=timezone.localdate()).aggregate(day=Min("day"))["day"]
    return _period_like(period, day) if day is not None else None


def listed_papers(period: Period, category: str | None = None) -> QuerySet[Paper]:
    """Papers listed in the period, most upvoted first (imported + local votes)."""
    entries = DailyEntry.objects.filter(day__range=(period.start, period.end), hidden=False)
    qs = (
        Paper.objects.visible()
        .filter(pk__in=entries.values("paper_id"))
        .with_score()
        .order_by("-score", "-announced", "arxiv_id")
    )
    if category:
        qs = qs.in_category(category)
    return qs


def trending_anchor() -> datetime:
    """Now, unless the hub's newest real list is older than the window (an old sample): then its end.

    A few papers submitted today do not move "now" forward (that would age every listed paper out
    of the window and leave trending with just them); votes and listings after the anchor count
    as cast at it.
    """
    now = timezone.now()
    last = latest_full_day(now.date())
    if last is None or last >= (now - timedelta(days=TRENDING_WINDOW_DAYS)).date():
        return now
    return datetime(last.year, last.month, last.day, 23, 59, tzinfo=now.tzinfo) + timedelta(minutes=1)


def _decay(age_hours: float) -> float:
    return math.pow(0.5, max(age_hours, 0.0) / HALF_LIFE_HOURS)


@dataclass
class TrendingItem:
    paper: Paper
    score: float


def trending(limit: int = 50, category: str | None = None, at: datetime | None = None) -> list[TrendingItem]:
    """Papers ranked by time-decayed votes over the last TRENDING_WINDOW_DAYS.

    score = Σ over votes of 0.5 ** (age_hours / HALF_LIFE_HOURS); imported votes are dated
    at the paper's (latest) listing day, local votes at the moment they were cast.
    """
    anchor = at or trending_anchor()
    since = anchor - timedelta(days=TRENDING_WINDOW_DAYS)
    # ``at`` asks how it trended then: nothing later counts. Else later votes count as cast at the anchor.
    days_until = {"day__lte": at.date()} if at else {}
    votes_until = {"created_at__lte": at} if at else {}
    listed = dict(
        DailyEntry.objects.filter(day__gte=since.date(), hidden=False, **days_until)
        .values_list("paper_id")
        .annotate(day=Max("day"))
    )
    local = {
        row["paper_id"]: row
        for row in Upvote.objects.filter(created_at__gte=since, **votes_until)
        .values("paper_id")
        .annotate(n=Count("id"), last=Max("created_at"))
    }
    ids = set(listed) | set(local)
    if not ids:
        return []
    # Rank on a few columns of every candidate; load whole rows (abstracts…) only for the winners.
    qs = Paper.objects.visible().filter(pk__in=ids)
    if category:
        qs = qs.in_category(category)
    candidates = list(qs.with_score().values_list("pk", "arxiv_id", "imported_upvotes", "score"))
    recent_votes: dict[int, list[datetime]] = {}
    if local and candidates:
        for paper_id, created in Upvote.objects.filter(
            paper_id__in=[c[0] for c in candidates], created_at__gte=since, **votes_until
        ).values_list("paper_id", "created_at"):
            recent_votes.setdefault(paper_id, []).append(created)
    ranked: list[tuple[float, int, str, int]] = []
    for pk, arxiv_id, imported, votes in candidates:
        score = 0.0
        if pk in listed:
            day = listed[pk]
            listed_at = datetime(day.year, day.month, day.day, 12, tzinfo=anchor.tzinfo)
            score += imported * _decay((anchor - listed_at).total_seconds() / 3600)
        for created in recent_votes.get(pk, []):
            score += _decay((anchor - created).total_seconds() / 3600)
        ranked.append((-score, -votes, arxiv_id, pk))
    ranked.sort()
    top = ranked[:limit]
    papers = Paper.objects.in_bulk([pk for *_, pk in top])
    return [TrendingItem(papers[pk], -neg_score) for neg_score, _, _, pk in top if pk in papers]


def entries_for(papers: list[Paper], period: Period | None = None) -> dict[int, DailyEntry]:
    """The daily entry to show on each paper's card (submitter, day), in one query."""
    qs = DailyEntry.objects.filter(paper_id__in=[p.pk for p in papers], hidden=False).select_related(
        "submitted_by"
    )
    if period:
        qs = qs.filter(day__range=(period.start, period.end))
    chosen: dict[int, DailyEntry] = {}
    for entry in qs.order_by("day"):
        chosen.setdefault(entry.paper_id, entry)
    return chosen
