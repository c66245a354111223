"""First-page thumbnails: fetch each paper's PDF, render page 1, store it, record its key.

Only the worker runs this (``paperfeed worker --run thumbnails``). Newest papers go first, so
today's list fills in before the archive. PDFs come from ``settings.ARXIV_PDF_URL`` with
``ARXIV_API_DELAY`` seconds between fetches (arXiv asks robots for that pace). A paper whose
PDF cannot be had or rendered counts a failed try and is left alone after MAX_TRIES, so one
broken PDF never blocks the rest; an unreachable server fails the run (the worker retries it).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import F

from paperfeed.papers import freshness
from paperfeed.papers.models import Paper
from paperfeed.papers.pdfpages import NotAPdf, first_page_webp
from paperfeed.papers.thumbnails import key_for, storage

from . import http
from .report import tracking

MAX_TRIES = 3
MAX_PDF_BYTES = 60 * 1024 * 1024


@dataclass
class ThumbnailReport:
    rendered: int = 0
    failed: int = 0
    failures: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        text = f"rendered {self.rendered}, failed {self.failed}"
        return text + (f" ({'; '.join(self.failures[:3])})" if self.failures else "")


def pdf_location(paper: Paper) -> str:
    version = f"v{paper.version}" if paper.version else ""
    return f"{settings.ARXIV_PDF_URL.rstrip('/')}/{paper.arxiv_id}{version}"


def due(limit: int) -> list[Paper]:
    """Papers without a thumbnail that have tries left, newest first."""
    return list(
        Paper.objects.visible().filter(thumbnail="", thumbnail_tries__lt=MAX_TRIES, withdrawn=False)
        .order_by(F("announced").desc(nulls_last=True), "-arxiv_id")
        .only("pk", "arxiv_id", "version")[:limit]
    )


def _fetch_pdf(paper: Paper) -> bytes:
    """The PDF's bytes; NotAPdf for an answer that is not one (FetchError when unreachable)."""
    url = pdf_location(paper)
    response = http.get(url)
    if response.status_code != 200:
        raise NotAPdf(f"{url}: HTTP {response.status_code}")
    if len(response.content) > MAX_PDF_BYTES:
        raise NotAPdf(f"{url}: {len(response.content):,} bytes, limit {MAX_PDF_BYTES:,}")
    return response.content


def render_one(paper: Paper) -> str:
    """Fetch, render and store one paper's thumbnail; returns its storage key."""
    image = first_page_webp(_fetch_pdf(paper), settings.THUMBNAIL_WIDTH)
    key = key_for(paper.arxiv_id)
    storage().save(key, image)
    Paper.objects.filter(pk=paper.pk).update(thumbnail=key)
    freshness.papers_changed([paper.arxiv_id])
    return key


def render_due(limit: int | None = None, *, progress: bool = False,
               sleep: Callable[[float], None] | None = None) -> ThumbnailReport:
    """Render thumbnails for up to ``limit`` papers that lack one (THUMBNAILS_PER_RUN by default)."""
    sleep = sleep or time.sleep
    report = ThumbnailReport()
    papers = due(settings.THUMBNAILS_PER_RUN if limit is None else limit)
    with tracking("thumbnails", total=len(papers), enabled=progress) as tracker:
        for number, paper in enumerate(papers):
            if number and settings.ARXIV_API_DELAY:
                sleep(float(settings.ARXIV_API_DELAY))
            try:
                render_one(paper)
                report.rendered += 1
            except NotAPdf as error:
                Paper.objects.filter(pk=paper.pk).update(thumbnail_tries=F("thumbnail_tries") + 1)
                report.failed += 1
                report.failures.append(f"{paper.arxiv_id}: {error}")
            tracker.advance(1)
    return report
