"""Personal picks served from a per-member cache that the worker refreshes after votes and saves.

Computing picks trains a per-member model over a few thousand candidates (0.1-1 s): too slow for
a page view. So the work is split:

- **the page** reads the member's :class:`PicksCache` row and its papers (:func:`cached_picks`):
  a handful of indexed queries, no model;
- **a vote or a save** (signals.py) only marks the row due: one UPDATE in the request. The first
  mark after a refresh also queues :func:`refresh_due` for the worker (django-q2's database
  queue, in the same transaction as the vote, so the task exists exactly when the vote does);
- **the worker** runs :func:`refresh_due`: it recomputes every due row, storing the version it
  started from, and goes round again while a row is still due, so a vote cast during a refresh
  is never lost. A cache whose two-week window has moved on (a new listing day) is marked due by
  the next page view, which shows the old picks meanwhile.
- **a member with no row yet** gets picks computed once, in that first request, and stored: a few
  hundred ms once, rather than a "being prepared" page with nothing on it.
- **feedback** ("more like this", "not interested") marks the row due like a vote; onboarding, which
  must show picks at once, recomputes in its request (:func:`refresh_now`).

The first view of a stored list records its papers as shown (``ShownPick``, one write per list, not
per view); a refresh keeps papers still on the list but never brings back one that left it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from paperfeed.papers.models import Paper

from .feedback import record_shown
from .models import PicksCache, ShownPick
from .recommendations import Pick, picks_for, recent_window

log = logging.getLogger(__name__)

PICKS_PER_MEMBER = 20
# Large fields a paper card never shows: not loaded for the page (the card reads the rest).
CARD_SKIPS = ("abstract", "versions", "comment", "journal_ref", "ai_summary", "ai_keywords")
REFRESH_TASK = "paperfeed.digests.picks_cache.refresh_due"
REFRESH_ROUNDS = 5  # passes over the due rows per task; members still voting wait for the next task


@dataclass
class CachedPicks:
    """What the "For you" page shows: the stored picks and whether a refresh is on its way."""

    picks: list[Pick]
    window: tuple[date, date]
    computed_at: datetime
    updating: bool


@dataclass
class RefreshReport:
    refreshed: int = 0
    failed: int = 0
    still_due: int = 0

    def __str__(self) -> str:
        return f"refreshed {self.refreshed} members' picks, {self.failed} failed, {self.still_due} still due"


def cached_picks(user) -> CachedPicks:
    """The member's stored picks; computed and stored here only the very first time."""
    row = PicksCache.objects.filter(user=user).first()
    if row is None:
        row = _store(user, recent_window(), version=0) or PicksCache.objects.get(user=user)
    elif not row.is_due and (row.window_start, row.window_end) != recent_window():
        mark_changed(user.pk)
        row.wanted_version += 1
    picks = _materialise(row)
    if not row.shown:
        _mark_shown(user, row, picks)
    return CachedPicks(picks, (row.window_start, row.window_end), row.computed_at, row.is_due)


def _mark_shown(user, row: PicksCache, picks: list[Pick]) -> None:
    """Record the list's papers as recommended, once per stored list (later views write nothing)."""
    with transaction.atomic():
        if PicksCache.objects.filter(user=user, computed_version=row.computed_version,
                                     computed_at=row.computed_at, shown=False).update(shown=True):
            record_shown(user, [p.paper for p in picks], ShownPick.Where.FOR_YOU)


def refresh_now(user) -> PicksCache | None:
    """Recompute the member's picks in this request (onboarding: the picks must be there at once)."""
    row = PicksCache.objects.filter(user=user).first()
    return _store(user, recent_window(), row.wanted_version if row else 0)


def mark_changed(user_id: int) -> None:
    """A vote or save changed what the member's picks depend on: mark the row due, queue a refresh.

    Only the first mark after a refresh queues a task; later ones find the row already due, and the
    queued refresh goes round until no row is due. Members without a row have nothing to refresh.
    """
    now = timezone.now()
    rows = PicksCache.objects.filter(user_id=user_id)
    with transaction.atomic():
        became_due = rows.filter(wanted_version=F("computed_version")).update(
            wanted_version=F("wanted_version") + 1, changed_at=now)
        if became_due:
            from django_q.tasks import async_task

            async_task(REFRESH_TASK, task_name=f"picks of user {user_id}")
        else:
            rows.update(wanted_version=F("wanted_version") + 1, changed_at=now)


def refresh_due(limit: int = 500) -> RefreshReport:
    """Recompute every due cache (oldest change first), round after round while rows stay due."""
    report = RefreshReport()
    window = recent_window()
    for _ in range(REFRESH_ROUNDS):
        due = list(PicksCache.objects.filter(wanted_version__gt=F("computed_version"))
                   .select_related("user").order_by(F("changed_at").asc(nulls_first=True))[:limit])
        if not due:
            break
        for row in due:
            try:
                report.refreshed += _store(row.user, window, row.wanted_version) is not None
            except Exception:  # one member's failure must not starve the others; the row stays due
                log.exception("picks refresh failed for user %s", row.user_id)
                report.failed += 1
        if report.failed:
            break
    report.still_due = PicksCache.objects.filter(wanted_version__gt=F("computed_version")).count()
    return report


def _store(user, window: tuple[date, date], version: int) -> PicksCache | None:
    """Compute and store the member's picks as of ``version``; None when a newer result is stored."""
    current = PicksCache.objects.filter(user=user).values_list("picks", flat=True).first() or []
    picks = picks_for(user, window=window, limit=PICKS_PER_MEMBER, keep={p["paper"] for p in current})
    fields = {
        "picks": [{"paper": p.paper.pk, "score": float(p.score), "reason": p.reason,
                   "because_of": p.because_of.pk if p.because_of else None} for p in picks],
        "window_start": window[0], "window_end": window[1], "computed_at": timezone.now(),
        "computed_version": version, "shown": False,
    }
    # Never overwrite a result computed from a newer version (two refreshes racing).
    if PicksCache.objects.filter(Q(computed_version__lte=version), user=user).update(**fields):
        return PicksCache.objects.get(user=user)
    try:
        with transaction.atomic():
            return PicksCache.objects.create(user=user, wanted_version=version, **fields)
    except IntegrityError:  # a row exists already, holding a newer result
        return None


def _materialise(row: PicksCache) -> list[Pick]:
    """The stored picks as Pick objects, in one query; papers hidden since are left out."""
    wanted = {p["paper"] for p in row.picks} | {p["because_of"] for p in row.picks if p["because_of"]}
    papers = Paper.objects.visible().defer(*CARD_SKIPS).in_bulk(wanted)
    return [Pick(papers[p["paper"]], p["score"], p["reason"], papers.get(p["because_of"]))
            for p in row.picks if p["paper"] in papers]
