"""The worker's share of thumbnails and complete metadata, as named jobs.

``thumbnails`` renders first-page thumbnails for papers that lack one (ingest/thumbnails.py);
``backfill`` asks the arXiv API about papers only Hugging Face described (ingest/backfill.py).
Both run hourly and do a bounded batch per run, so a new hub with thousands of papers catches
up over a day instead of holding the worker for hours.
"""

from __future__ import annotations

from paperfeed.ingest import backfill as backfill_service
from paperfeed.ingest import thumbnails as thumbnail_service


def thumbnails() -> str:
    return f"thumbnails: {thumbnail_service.render_due()}"


def backfill() -> str:
    return f"arXiv backfill: {backfill_service.backfill()}"
