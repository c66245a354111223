"""Submitting a paper to today's daily list: the rule both doors use, and the worker when a paper arrives.

A member may submit ``settings.SUBMISSIONS_PER_DAY`` papers a day, counting the submissions
still waiting for their paper; a paper is listed once, on any day (a second submission is
AlreadyListed, as on Hugging Face: upvote it instead), and the submitter's own upvote comes
with it. A paper this hub has not seen is queued for the worker (accounts.fetch_queue) and
:func:`submit` answers with the queued FetchIntent; the worker lists it with
:func:`list_fetched` once arXiv has answered. The checks run under a lock on the member's row,
so two simultaneous submissions cannot both pass; the (paper, day) unique constraint settles
two members submitting the same paper at once.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone

from paperfeed.papers import freshness
from paperfeed.papers.lookup import canonical_id
from paperfeed.papers.models import DailyEntry, Paper

from . import fetch_queue
from .errors import AlreadyListed, DailyLimitReached
from .models import FetchIntent
from .papers import on_hub
from .votes import upvote


def _refuse_if_listed(arxiv_id: str) -> None:
    existing = DailyEntry.objects.filter(paper__arxiv_id=arxiv_id).order_by("day").first()
    if existing is not None:
        raise AlreadyListed(arxiv_id, existing.day)


def _refuse_if_over_limit(user, day: date) -> None:
    limit = int(settings.SUBMISSIONS_PER_DAY)
    listed = DailyEntry.objects.filter(submitted_by=user, day=day).count()
    if listed + fetch_queue.open_submissions(user) >= limit:
        raise DailyLimitReached(limit, day)


def _list(user, paper: Paper, day: date) -> DailyEntry:
    entry = DailyEntry.objects.create(
        paper=paper,
        day=day,
        source=DailyEntry.Source.MEMBER,
        submitted_by=user,
        submitted_at=timezone.now(),
    )
    upvote(user, paper)
    freshness.listings_changed([(day, paper.arxiv_id)])
    return entry


def submit(user, raw_id: str) -> DailyEntry | FetchIntent:
    """List the paper ``raw_id`` names on today's page as the member's submission.

    Answers the new DailyEntry, or the FetchIntent that lists it once the worker has fetched it.
    Refuses with NotAnArxivId, AlreadyListed, DailyLimitReached or PaperHidden.
    """
    arxiv_id = canonical_id(raw_id)
    today = timezone.localdate()
    paper = on_hub(arxiv_id)
    try:
        with transaction.atomic():
            # NO KEY UPDATE: it serialises one member's submissions (the daily limit stays exact)
            # without blocking the KEY SHARE lock their concurrent votes' inserts take on the row;
            # a plain FOR UPDATE deadlocked against such a vote on PostgreSQL.
            get_user_model().objects.select_for_update(no_key=True).filter(pk=user.pk).first()
            _refuse_if_over_limit(user, today)
            _refuse_if_listed(arxiv_id)
            if paper is None:
                return fetch_queue.queue(user, arxiv_id, FetchIntent.Action.SUBMIT)
            return _list(user, paper, today)
    except IntegrityError:
        raise AlreadyListed(arxiv_id, today) from None


def list_fetched(user, paper: Paper) -> str:
    """The worker's half of a queued submission: list the arrived paper today; the FetchIntent outcome.

    Someone may have listed it meanwhile: then the member's upvote is what their submission adds.
    The daily limit was checked when the submission was queued (it counted as one of the day's).
    """
    try:
        with transaction.atomic():
            _refuse_if_listed(paper.arxiv_id)
            _list(user, paper, timezone.localdate())
    except (AlreadyListed, IntegrityError):
        upvote(user, paper)
        return FetchIntent.Outcome.ALREADY_LISTED
    return FetchIntent.Outcome.LISTED
