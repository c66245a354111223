"""Hugging Face-only papers completed from the arXiv API: categories, dates, versions, comment.

A paper Hugging Face listed before arXiv's own sources gave it to us has only Hugging Face's
copy of its title, abstract and authors: no category (so it drops out of category filters and
feeds) and no version history. The worker asks the arXiv API for such papers by id, 100 per
call at the API's polite pace (ingest/api.py keeps ``ARXIV_API_DELAY`` between calls), and
stores the answers through the one upsert, where arXiv's metadata replaces the second-hand one.
Each paper asked about is stamped ``arxiv_checked_at``, so one arXiv does not know is not asked
again every run; ``paperfeed worker --run backfill`` repeats until none is left.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db.models import F
from django.utils import timezone

from paperfeed.papers.models import Paper
from paperfeed.papers.upsert import SECOND_HAND_SOURCES, UpsertResult, upsert_papers

from . import api
from .report import tracking


@dataclass
class BackfillReport:
    asked: int = 0
    completed: int = 0
    unknown: int = 0
    result: UpsertResult | None = None

    def __str__(self) -> str:
        return f"asked arXiv about {self.asked}, completed {self.completed}, unknown to arXiv {self.unknown}"


def due(limit: int) -> list[str]:
    """Ids of papers only Hugging Face described that arXiv was not asked about yet, newest first."""
    return list(
        Paper.objects.filter(source__in=SECOND_HAND_SOURCES, arxiv_checked_at__isnull=True)
        .order_by(F("announced").desc(nulls_last=True), "-arxiv_id")
        .values_list("arxiv_id", flat=True)[:limit]
    )


def backfill(limit: int | None = None, *, progress: bool = False,
             sleep: Callable[[float], None] | None = None) -> BackfillReport:
    """Ask arXiv about up to ``limit`` Hugging Face-only papers (BACKFILL_PER_RUN by default)."""
    ids = due(settings.BACKFILL_PER_RUN if limit is None else limit)
    report = BackfillReport(asked=len(ids), result=UpsertResult())
    with tracking("arXiv backfill", total=len(ids), enabled=progress) as tracker:
        for start in range(0, len(ids), api.IDS_PER_CALL):
            chunk = ids[start: start + api.IDS_PER_CALL]
            for records in api.by_ids(chunk, sleep=sleep):
                report.result.merge(upsert_papers(records))
            Paper.objects.filter(arxiv_id__in=chunk).update(arxiv_checked_at=timezone.now())
            tracker.advance(len(chunk))
    still = Paper.objects.filter(arxiv_id__in=ids, source__in=SECOND_HAND_SOURCES).count()
    report.unknown = still
    report.completed = len(ids) - still
    return report
