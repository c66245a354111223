"""Submitting a paper to today's daily list: the rule both doors use.

A member may submit ``settings.SUBMISSIONS_PER_DAY`` papers a day; a paper is listed once, on
any day (a second submission is AlreadyListed, as on Hugging Face: upvote it instead), and
the submitter's own upvote comes with it. A paper this hub has not seen is fetched from arXiv
(accounts.papers). The counts are checked before
the arXiv call, so a refused submission costs no request, and again under a lock on the
member's row, so two simultaneous submissions cannot both pass; the (paper, day) unique
constraint settles two members submitting the same paper at once.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone

from paperfeed.papers.lookup import canonical_id
from paperfeed.papers.models import DailyEntry

from .errors import AlreadyListed, DailyLimitReached
from .papers import known_or_fetched
from .votes import upvote


def _refuse_if_listed(arxiv_id: str) -> None:
    existing = DailyEntry.objects.filter(paper__arxiv_id=arxiv_id).order_by("day").first()
    if existing is not None:
        raise AlreadyListed(arxiv_id, existing.day)


def _refuse_if_over_limit(user, day: date) -> None:
    limit = int(settings.SUBMISSIONS_PER_DAY)
    if DailyEntry.objects.filter(submitted_by=user, day=day).count() >= limit:
        raise DailyLimitReached(limit, day)


def submit(user, raw_id: str) -> DailyEntry:
    """List the paper ``raw_id`` names on today's page as the member's submission.

    Refuses with NotAnArxivId, AlreadyListed, DailyLimitReached, PaperHidden, PaperNotFound or
    ArxivUnavailable.
    """
    arxiv_id = canonical_id(raw_id)
    today = timezone.localdate()
    _refuse_if_listed(arxiv_id)
    _refuse_if_over_limit(user, today)
    paper = known_or_fetched(arxiv_id)
    try:
        with transaction.atomic():
            get_user_model().objects.select_for_update().filter(pk=user.pk).first()
            _refuse_if_over_limit(user, today)
            _refuse_if_listed(arxiv_id)
            entry = DailyEntry.objects.create(
                paper=paper,
                day=today,
                source=DailyEntry.Source.MEMBER,
                submitted_by=user,
                submitted_at=timezone.now(),
            )
            upvote(user, paper)
            return entry
    except IntegrityError:
        raise AlreadyListed(arxiv_id, today) from None
