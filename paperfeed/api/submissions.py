"""Submitting a paper to today's daily list: the rules in one place (views stay thin).

A member may submit ``SUBMISSIONS_PER_DAY`` papers a day; a paper is listed once (a second
submission of a listed paper is a conflict, as on Hugging Face). A paper this hub has not
seen is fetched from arXiv through the ingest app's ``fetch_paper``.
"""

from __future__ import annotations

import logging

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone

from paperfeed.papers.arxiv import parse_arxiv_id
from paperfeed.papers.models import DailyEntry, Paper

from . import conf
from .errors import ApiError

logger = logging.getLogger("paperfeed.api")


def _fetch(arxiv_id: str) -> Paper | None:
    """Ask arXiv (via the ingest app) for a paper we do not have yet."""
    from paperfeed.ingest.api import fetch_paper

    try:
        return fetch_paper(arxiv_id)
    except Exception as error:  # network, parse or upstream failure: say so, do not 500
        logger.warning("arXiv lookup of %s failed: %s", arxiv_id, error)
        raise ApiError(502, f"Could not look {arxiv_id} up on arXiv", str(error)[:300]) from None


def resolve_paper(raw_id: str, *, fetch: bool) -> Paper:
    """The paper an id in any form names; 400 for non-ids, 404 if unknown (after arXiv if asked)."""
    parsed = parse_arxiv_id(raw_id)
    if parsed is None:
        raise ApiError(400, "Not an arXiv identifier", {"id": raw_id[:100]})
    paper = Paper.objects.filter(arxiv_id=parsed.id).first()
    if paper is None and fetch:
        paper = _fetch(parsed.id)
    if paper is None:
        raise ApiError(404, f"No paper {parsed.id} on this hub" + (" or on arXiv" if fetch else ""))
    if paper.hidden:
        raise ApiError(403, f"Paper {parsed.id} was hidden by a moderator")
    return paper


def submit(user, raw_id: str) -> DailyEntry:
    """List the paper on today's page as the user's submission; ApiError on every refusal."""
    parsed = parse_arxiv_id(raw_id)
    if parsed is None:
        raise ApiError(400, "Not an arXiv identifier", {"id": raw_id[:100]})
    limit = conf.submissions_per_day()
    today = timezone.localdate()
    existing = DailyEntry.objects.filter(paper__arxiv_id=parsed.id).order_by("day").first()
    if existing is not None:
        raise ApiError(409, f"{parsed.id} is already listed", {"day": existing.day.isoformat()})
    if DailyEntry.objects.filter(submitted_by=user, day=today).count() >= limit:
        raise ApiError(429, "Daily submission limit reached", {"limit": limit, "day": today.isoformat()})
    paper = resolve_paper(parsed.id, fetch=True)
    try:
        with transaction.atomic():
            # Lock the member's row so two simultaneous submissions cannot both pass the count.
            get_user_model().objects.select_for_update().filter(pk=user.pk).first()
            if DailyEntry.objects.filter(submitted_by=user, day=today).count() >= limit:
                raise ApiError(429, "Daily submission limit reached", {"limit": limit, "day": today.isoformat()})
            if DailyEntry.objects.filter(paper=paper).exists():
                raise ApiError(409, f"{paper.arxiv_id} is already listed")
            return DailyEntry.objects.create(
                paper=paper,
                day=today,
                source=DailyEntry.Source.MEMBER,
                submitted_by=user,
                submitted_at=timezone.now(),
            )
    except IntegrityError:
        raise ApiError(409, f"{paper.arxiv_id} is already listed", {"day": today.isoformat()}) from None
