"""Papers the hub lacks, queued for the worker: no web request waits on arXiv.

A member who submits or saves a paper the hub has not seen gets a FetchIntent on the paper's
one PaperFetch row and an answer at once; the worker fetches it (accounts.fetching) and
completes every intent once. Asking again while a fetch is pending adds nothing (the partial
unique constraints on FetchIntent); asking after arXiv said "no such paper" or could not be
reached queues it again, since an id announced later does exist.

When a fetch becomes pending, :data:`fetch_queued` is sent once the transaction commits; the
jobs layer listens and wakes the worker (jobs.wake), so this layer needs no queue of its own.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.dispatch import Signal
from django.utils import timezone

from .models import Collection, FetchIntent, PaperFetch

# Sent with ``arxiv_id`` after the commit that made a fetch pending.
fetch_queued = Signal()


def _pending_fetch(arxiv_id: str) -> tuple[PaperFetch, bool]:
    """The id's fetch row, pending; True when it was not pending before (a new request to arXiv).

    Call inside a transaction: the row stays locked until it commits, so a worker finishing the
    same fetch either sees the new intent or has finished before this one re-queues it.
    """
    now = timezone.now()
    try:
        with transaction.atomic():
            return PaperFetch.objects.create(arxiv_id=arxiv_id, requested_at=now), True
    except IntegrityError:
        pass
    fetch = PaperFetch.objects.select_for_update().get(arxiv_id=arxiv_id)
    if fetch.state == PaperFetch.State.PENDING:
        return fetch, False
    fetch.state, fetch.requested_at, fetch.attempts = PaperFetch.State.PENDING, now, 0
    fetch.finished_at, fetch.last_error, fetch.claimed_until, fetch.paper = None, "", None, None
    fetch.save()
    return fetch, True


def _open_intent(fetch: PaperFetch, user, action: str, collection: Collection | None) -> FetchIntent:
    """The member's open intent for this fetch, made if there is none (twice is once)."""
    same = {"fetch": fetch, "action": action, "done_at__isnull": True}
    same.update({"collection": collection} if action == FetchIntent.Action.SAVE else {"user": user})
    try:
        with transaction.atomic():
            found = FetchIntent.objects.filter(**same).first()
            return found or FetchIntent.objects.create(fetch=fetch, user=user, action=action, collection=collection)
    except IntegrityError:  # the same request, made at the same moment from another tab
        return FetchIntent.objects.get(**same)


def queue(user, arxiv_id: str, action: str, collection: Collection | None = None) -> FetchIntent:
    """Queue ``arxiv_id`` (canonical, not on the hub) to be fetched, with what the member wants done."""
    with transaction.atomic():
        fetch, newly_pending = _pending_fetch(arxiv_id)
        intent = _open_intent(fetch, user, action, collection)
        if newly_pending:
            transaction.on_commit(lambda: fetch_queued.send_robust(PaperFetch, arxiv_id=arxiv_id), robust=True)
    return intent


def open_submissions(user) -> int:
    """The member's submissions still waiting for their paper (they count towards the daily limit)."""
    return FetchIntent.objects.filter(user=user, action=FetchIntent.Action.SUBMIT, done_at__isnull=True).count()


def requests_of(user, arxiv_id: str | None = None) -> QuerySet[FetchIntent]:
    """The member's fetch requests, newest first (only this id's when given), with their fetch row."""
    intents = FetchIntent.objects.filter(user=user).select_related("fetch", "collection")
    return intents.filter(fetch__arxiv_id=arxiv_id) if arxiv_id else intents
