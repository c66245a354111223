"""Upvotes: the only code that creates or deletes Upvote rows and keeps the paper's count."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import F

from paperfeed.papers import freshness
from paperfeed.papers.models import Paper

from .models import Upvote


def upvote(user, paper: Paper) -> bool:
    """Add the user's vote; False when it was already there. Safe under concurrent clicks."""
    try:
        with transaction.atomic():
            Upvote.objects.create(user=user, paper=paper)
            Paper.objects.filter(pk=paper.pk).update(local_upvotes=F("local_upvotes") + 1)
            freshness.voted(paper.arxiv_id)
    except IntegrityError:
        return False
    return True


def unvote(user, paper: Paper) -> bool:
    """Remove the user's vote; False when there was none."""
    with transaction.atomic():
        deleted, _ = Upvote.objects.filter(user=user, paper=paper).delete()
        if deleted:
            Paper.objects.filter(pk=paper.pk, local_upvotes__gt=0).update(local_upvotes=F("local_upvotes") - 1)
            freshness.voted(paper.arxiv_id)
    return bool(deleted)


def has_upvoted(user, paper: Paper) -> bool:
    return bool(user and user.is_authenticated) and Upvote.objects.filter(user=user, paper=paper).exists()


def upvoted_ids(user, papers) -> set[int]:
    """Which of these papers the user voted for, in one query (for list pages)."""
    if not (user and user.is_authenticated):
        return set()
    ids = [p.pk for p in papers]
    return set(Upvote.objects.filter(user=user, paper_id__in=ids).values_list("paper_id", flat=True))
