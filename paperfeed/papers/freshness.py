"""Which cached pages a change to papers or listings makes stale: the keys each writer bumps.

Votes (accounts.votes), submissions, the upsert service, Hugging Face listings (ingest.hf_daily)
and the admin each call one of these inside the transaction that writes, so the new tokens commit
with the data (paperfeed.versions.tokens explains the tokens). A vote touches its paper's page, the
days it is listed on and trending, and nothing else: every other day keeps its cached page.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date

from django.db.models import Count

from paperfeed.versions import keys
from paperfeed.versions.tokens import bump

from .models import DailyEntry

_CHUNK = 900  # SQLite's bound-parameter limit


def _listed_days(arxiv_ids: list[str]) -> set[date]:
    days: set[date] = set()
    for start in range(0, len(arxiv_ids), _CHUNK):
        days.update(
            DailyEntry.objects.filter(paper__arxiv_id__in=arxiv_ids[start: start + _CHUNK])
            .values_list("day", flat=True)
            .distinct()
        )
    return days


def voted(arxiv_id: str) -> None:
    """A vote was cast or taken back: the paper's page, its days' lists, trending."""
    bump([keys.paper(arxiv_id), keys.TRENDING, *map(keys.day, _listed_days([arxiv_id]))])


def papers_changed(arxiv_ids: Iterable[str], *, visibility: bool = False) -> None:
    """Stored papers changed (new metadata, an admin edit, hidden or shown again).

    ``visibility``: a paper was hidden or shown, which can empty a day or fill one again.
    """
    ids = list(arxiv_ids)
    if not ids:
        return
    days = _listed_days(ids)
    touched = [keys.CATALOG, *map(keys.paper, ids), *map(keys.day, days)]
    if days:
        touched.append(keys.TRENDING)
    if visibility and days:
        touched += [keys.DAYS, keys.LISTINGS]
    bump(touched)


def papers_added() -> None:
    """New papers were stored (not yet listed anywhere): only the category and search feeds change."""
    bump([keys.CATALOG])


def listings_changed(entries: Iterable[tuple[date, str]]) -> None:
    """Entries (day, arXiv id) were added, hidden, shown again or moved.

    ``days`` moves only when one of these days became non-empty or empty, since the previous/next
    links of every other day depend on which days have a list.
    """
    pairs = set(entries)
    if not pairs:
        return
    days = {day for day, _ in pairs}
    touched = [keys.LISTINGS, keys.TRENDING, *map(keys.day, days), *(keys.paper(a) for _, a in pairs)]
    counts = dict(
        DailyEntry.objects.filter(day__in=days, hidden=False, paper__hidden=False)
        .values_list("day")
        .annotate(n=Count("id"))
    )
    changed_on = Counter(day for day, _ in pairs)
    # A day holding no more visible entries than were just changed may have been (or become) empty.
    if any(counts.get(day, 0) <= n for day, n in changed_on.items()):
        touched.append(keys.DAYS)
    bump(touched)
