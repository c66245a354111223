"""The worker's side of the fetch queue: ask arXiv for the queued papers, then do what members asked.

:func:`run_due` claims the pending PaperFetch rows (a conditional UPDATE per row, so two workers
never ask for the same paper), asks arXiv for them through the ingest layer's API client (up to
100 ids a call, ``ARXIV_API_DELAY`` apart, its polite retries), and finishes each fetch:

- **added**: the paper is stored; each open FetchIntent is completed once (listed today, or
  saved to its collection), in the same transaction that marks it done;
- **not_found**: arXiv has no such paper; the intents are closed with that outcome;
- **failed**: arXiv refused the id, or could not be reached for ``ARXIV_FETCH_GIVE_UP`` seconds;
- otherwise (arXiv unreachable) it stays **pending**, and the report says so: the job then fails
  and JobRun, the one layer that retries, runs it again later (docs/worker.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from paperfeed.ingest.api import IDS_PER_CALL, ArxivApiError, fetch_papers
from paperfeed.ingest.http import FetchError
from paperfeed.papers.models import Paper

from . import collections, submissions
from .errors import AlreadyInCollection
from .models import FetchIntent, PaperFetch

CLAIM_SECONDS = 900  # a claim older than this belongs to a worker that died mid-fetch
MAX_PER_RUN = 1000


class FetchesWaiting(RuntimeError):
    """arXiv could not be reached for some queued papers; they stay pending for the job's retry."""


@dataclass
class FetchReport:
    added: int = 0
    not_found: int = 0
    failed: int = 0
    waiting: int = 0
    completed: int = 0  # members' requests done (listed, saved, or answered "not found"/"failed")
    errors: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return (f"added {self.added}, not found {self.not_found}, failed {self.failed}, "
                f"still pending {self.waiting}; {self.completed} requests completed")

    def raise_if_waiting(self) -> None:
        if self.waiting:
            raise FetchesWaiting(f"{self.waiting} queued papers still pending ({'; '.join(self.errors[:3])})")


def _claim(now: datetime) -> list[PaperFetch]:
    """The pending fetches this worker now holds, oldest request first."""
    free = Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
    due = PaperFetch.objects.filter(free, state=PaperFetch.State.PENDING).order_by("requested_at")
    lease = now + timedelta(seconds=CLAIM_SECONDS)
    held = [pk for pk in due.values_list("pk", flat=True)[:MAX_PER_RUN]
            if PaperFetch.objects.filter(free, pk=pk, state=PaperFetch.State.PENDING).update(claimed_until=lease)]
    return list(PaperFetch.objects.filter(pk__in=held).order_by("requested_at"))


def _apply(intent: FetchIntent, paper: Paper) -> str:
    if intent.action == FetchIntent.Action.SUBMIT:
        return submissions.list_fetched(intent.user, paper)
    try:
        collections.add(intent.collection, paper)
    except AlreadyInCollection:
        return FetchIntent.Outcome.ALREADY_SAVED
    return FetchIntent.Outcome.SAVED


def _finish(fetch: PaperFetch, state: str, report: FetchReport, paper: Paper | None = None, error: str = "") -> None:
    """Record the fetch's end and complete its open intents, all in one transaction."""
    now = timezone.now()
    closed = FetchIntent.Outcome.NOT_FOUND if state == PaperFetch.State.NOT_FOUND else FetchIntent.Outcome.FAILED
    with transaction.atomic():
        PaperFetch.objects.filter(pk=fetch.pk).update(
            state=state, paper=paper, finished_at=now, claimed_until=None, last_error=error[:2000],
            attempts=F("attempts") + 1,
        )
        for intent in FetchIntent.objects.filter(fetch=fetch, done_at__isnull=True).select_related("user", "collection"):
            if not FetchIntent.objects.filter(pk=intent.pk, done_at__isnull=True).update(done_at=now):
                continue  # completed by another worker: once is the rule
            outcome = _apply(intent, paper) if paper is not None else closed
            FetchIntent.objects.filter(pk=intent.pk).update(outcome=outcome)
            report.completed += 1
    setattr(report, state, getattr(report, state) + 1)


def _unreachable(fetches: list[PaperFetch], error: Exception, report: FetchReport) -> None:
    """arXiv did not answer: each fetch waits for the next run, or fails once it has waited too long."""
    give_up = timezone.now() - timedelta(seconds=int(settings.ARXIV_FETCH_GIVE_UP))
    report.errors.append(str(error)[:300])
    for fetch in fetches:
        if fetch.requested_at < give_up:
            _finish(fetch, PaperFetch.State.FAILED, report, error=f"arXiv unreachable since the request: {error}")
            continue
        PaperFetch.objects.filter(pk=fetch.pk).update(
            claimed_until=None, attempts=F("attempts") + 1, last_error=str(error)[:2000]
        )
        report.waiting += 1


def _fetch(fetches: list[PaperFetch], report: FetchReport) -> None:
    ids = [fetch.arxiv_id for fetch in fetches]
    try:
        result = fetch_papers(ids)
    except FetchError as error:
        _unreachable(fetches, error, report)
        return
    except ArxivApiError as error:
        if len(fetches) > 1:  # one id arXiv refuses must not sink the others: ask for each alone
            for fetch in fetches:
                _fetch([fetch], report)
        else:
            _finish(fetches[0], PaperFetch.State.FAILED, report, error=f"arXiv refused it: {error}")
        return
    stored = Paper.objects.in_bulk(ids, field_name="arxiv_id")
    for fetch in fetches:
        paper = stored.get(fetch.arxiv_id)
        rejection = next((r for r in result.rejections if fetch.arxiv_id in r), "")
        if paper is not None:
            _finish(fetch, PaperFetch.State.ADDED, report, paper)
        elif rejection:
            _finish(fetch, PaperFetch.State.FAILED, report, error=f"arXiv's record was unusable: {rejection}")
        else:
            _finish(fetch, PaperFetch.State.NOT_FOUND, report)


def run_due() -> FetchReport:
    """Fetch every pending paper (in calls of up to 100 ids) and complete what members asked."""
    report = FetchReport()
    fetches = _claim(timezone.now())
    for start in range(0, len(fetches), IDS_PER_CALL):
        _fetch(fetches[start:start + IDS_PER_CALL], report)
    return report
