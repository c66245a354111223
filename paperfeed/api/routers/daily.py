"""``/api/daily_papers``: the daily/weekly/monthly lists in Hugging Face's shape, and submissions.

A list is the same for every reader, so its JSON is served from the page cache (lists/cache.py)
under the version tokens of the period (or trending) it shows.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, time
from typing import Literal

from django.conf import settings
from django.db.models import F, Q
from django.http import HttpRequest, HttpResponse
from ninja import Field as NField
from ninja import Query, Router, Schema, Status
from ninja.responses import NinjaJSONEncoder
from pydantic import TypeAdapter

from paperfeed.accounts import submissions
from paperfeed.accounts.models import FetchIntent
from paperfeed.discussions import counts as comment_counts
from paperfeed.lists import cache as page_cache
from paperfeed.lists import ranking
from paperfeed.papers.models import DailyEntry, Paper

from .. import serializers
from ..auth import token_auth
from ..errors import ApiError
from ..paging import DEFAULT_LIMIT, MAX_LIMIT, MAX_PAGE
from ..schemas import ErrorOut, HFDailyItem, PaperIdIn, Text
from . import fetches
from .fetches import FetchQueuedOut

router = Router(tags=["daily papers"])

# arXiv started in 1991; the bounds keep date arithmetic (trending windows) far from overflow.
FIRST_YEAR, LAST_YEAR = 1991, 9000


class DailyQuery(Schema):
    date: Text | None = NField(None, max_length=40, description="A day, YYYY-MM-DD", examples=["2026-04-02"])
    week: Text | None = NField(None, max_length=40, description="An ISO week, YYYY-Www", examples=["2026-W14"])
    month: Text | None = NField(None, max_length=40, description="A month, YYYY-MM", examples=["2026-04"])
    submitter: Text | None = NField(None, max_length=150, description="Only entries submitted by this username")
    sort: Literal["publishedAt", "trending"] | None = NField(
        None, description="Default: most upvoted first (as the web page); publishedAt: newest first; "
        "trending: time-decayed votes"
    )
    cat: Text | None = NField(None, max_length=40, description="paperfeed extra: only this arXiv category",
                             examples=["cs.CL"])
    p: int = NField(0, ge=0, le=MAX_PAGE, description="Page number, from 0")
    limit: int = NField(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="Items per page")


def _period(query: DailyQuery) -> ranking.Period | None:
    given = {name: value for name in ("date", "week", "month") if (value := getattr(query, name))}
    if len(given) > 1:
        raise ApiError(400, "Give only one of date, week and month", {"given": sorted(given)})
    if not given:
        return None
    name, value = next(iter(given.items()))
    try:
        period = ranking.parse_period(value)
    except ranking.PeriodError as error:
        raise ApiError(400, f"Invalid {name}", str(error)) from None
    except OverflowError:  # parse_period of the last month of year 9999
        raise ApiError(400, f"Invalid {name}", f"{value[:40]!r} is out of range") from None
    if not FIRST_YEAR <= period.start.year <= LAST_YEAR:
        raise ApiError(400, f"Invalid {name}", f"{value[:40]!r} is out of range ({FIRST_YEAR}-{LAST_YEAR})")
    expected = {"date": "day", "week": "week", "month": "month"}[name]
    if period.kind != expected:
        raise ApiError(400, f"Invalid {name}", f"{value[:40]!r} is a {period.kind}, not a {expected}")
    return period


def _by_submitter(qs, period: ranking.Period | None, username: str):
    entries = DailyEntry.objects.filter(hidden=False).filter(
        Q(submitted_by__username=username) | Q(submitted_by__isnull=True, submitter_name=username)
    )
    if period is not None:
        entries = entries.filter(day__range=(period.start, period.end))
    return qs.filter(pk__in=entries.values("paper_id"))


def list_daily(query: DailyQuery) -> list[dict]:
    """The items of one page; the same ranking functions as the web pages, so both agree."""
    period = _period(query)
    start = query.p * query.limit
    stop = start + query.limit
    if query.sort == "trending":
        papers = _trending(period, query, stop)[start:stop]
    else:
        listed_in = period or ranking.default_period()
        qs = ranking.listed_papers(listed_in, query.cat or None)
        if query.submitter:
            qs = _by_submitter(qs, listed_in, query.submitter)
        if query.sort == "publishedAt":
            qs = qs.order_by(F("published").desc(nulls_last=True), "-announced", "arxiv_id")
        papers = list(qs[start:stop])
        period = listed_in
    entries = ranking.entries_for(papers, period)
    comment_counts.attach(papers)  # numComments for the whole page in one query
    return [serializers.daily_item(p, entries.get(p.pk)) for p in papers]


def _trending(period: ranking.Period | None, query: DailyQuery, stop: int) -> list[Paper]:
    if period is None:
        items = ranking.trending(limit=stop if not query.submitter else 10_000, category=query.cat or None)
        papers = [item.paper for item in items]
        if query.submitter:
            keep = set(_by_submitter(Paper.objects.all(), None, query.submitter).values_list("pk", flat=True))
            papers = [p for p in papers if p.pk in keep]
        return papers
    # A past period: its listed papers, ordered by how they trended at the period's end.
    listed = ranking.listed_papers(period, query.cat or None)
    if query.submitter:
        listed = _by_submitter(listed, period, query.submitter)
    listed = list(listed)
    at = datetime.combine(period.end, time(23, 59), tzinfo=UTC)
    score = {item.paper.pk: item.score for item in ranking.trending(limit=100_000, category=query.cat or None, at=at)}
    listed.sort(key=lambda p: -score.get(p.pk, 0.0))  # stable: ties keep the most-upvoted order
    return listed


@router.get(
    "/daily_papers",
    response={200: list[HFDailyItem], 400: ErrorOut, 422: ErrorOut},
    exclude_unset=True,
    by_alias=True,
    summary="Daily papers (Hugging Face compatible)",
    operation_id="list_daily_papers",
)
def daily_papers(request: HttpRequest, query: Query[DailyQuery]):
    """Papers listed on a day, week or month — by default the newest full day (as the home page).

    Same parameters and item shape as ``https://huggingface.co/api/daily_papers``, so
    ``huggingface_hub.HfApi(endpoint="http://this-hub").list_daily_papers()`` works as is.
    """
    if not settings.PAGE_CACHE:
        return list_daily(query)
    key = ("daily_papers", request.get_full_path(), _tokens(query))
    body = page_cache.pages.get(key)
    if body is None:
        # What ninja would send for the list: validated by the schema, by alias, unset keys left out.
        items = _ITEMS.validate_python(list_daily(query))
        body = json.dumps(_ITEMS.dump_python(items, by_alias=True, exclude_unset=True), cls=NinjaJSONEncoder)
        body = body.encode()
        page_cache.pages.put(key, body, len(body))
    return HttpResponse(body, content_type="application/json; charset=utf-8")


_ITEMS = TypeAdapter(list[HFDailyItem])


def _tokens(query: DailyQuery) -> tuple:
    """The version tokens of what the query lists (a bad period raises its 400 here, as it would later)."""
    period = _period(query)
    if period is not None:
        return page_cache.period_tokens(period)
    if query.sort == "trending":
        return page_cache.trending_tokens()
    return page_cache.home()[1]


@router.post(
    "/daily_papers/submit",
    auth=token_auth,
    response={201: HFDailyItem, 202: FetchQueuedOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut,
              409: ErrorOut, 413: ErrorOut, 422: ErrorOut, 429: ErrorOut},
    exclude_unset=True,
    by_alias=True,
    summary="Submit a paper to today's list",
    operation_id="submit_daily_paper",
)
def submit(request: HttpRequest, payload: PaperIdIn):
    """List a paper on today's page as your submission, with your upvote (201).

    A paper new to this hub answers 202 at once with ``state: pending``: the worker fetches it from
    arXiv and lists it (follow it at ``status_url``). Limited to ``PAPERFEED_SUBMISSIONS_PER_DAY`` a
    day, pending ones included (429 past it); a paper already listed on any day is a conflict (409).
    """
    entry = submissions.submit(request.auth.user, payload.id)
    if isinstance(entry, FetchIntent):
        return Status(202, fetches.queued(entry))
    paper = Paper.objects.get(pk=entry.paper_id)
    return Status(201, serializers.daily_item(paper, entry))
