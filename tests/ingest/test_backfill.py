"""The worker's backfill: Hugging Face-only papers completed from the arXiv API (a local fake arXiv)."""

from __future__ import annotations

import pytest

from paperfeed.ingest.backfill import backfill
from paperfeed.ingest.hf_daily import HfItem, ingest_items
from paperfeed.jobs import runner
from paperfeed.papers.models import Paper
from paperfeed.papers.records import PaperRecord
from tests.factories import DAY, make_paper
from tests.support.fake_arxiv import NEW_ID, NEW_TITLE

pytestmark = pytest.mark.django_db
UNKNOWN = "2611.09999"  # the fake arXiv answers "no such paper"


def _hf_only(*ids: str) -> Paper:
    """Papers as a Hugging Face listing creates them: no categories, no versions."""
    items = [HfItem(PaperRecord(arxiv_id=arxiv_id, title="As Hugging Face copied it", abstract="Copied.",
                                authors=["A. Author"], authoritative=False, source="hf-daily"),
                    DAY, "", None, 0, {}) for arxiv_id in ids]
    ingest_items(items, progress=False)
    return Paper.objects.get(arxiv_id=ids[0])


def test_hf_only_papers_get_categories_dates_and_versions_from_arxiv(arxiv):
    before = _hf_only(NEW_ID)
    assert before.categories == "" and before.versions == []
    report = backfill()
    paper = Paper.objects.get(arxiv_id=NEW_ID)
    assert paper.source == "api" and paper.title == NEW_TITLE
    assert paper.primary_category and f" {paper.primary_category} " in paper.categories
    assert paper.versions and paper.version >= 1 and paper.published is not None
    assert paper.daily_entries.count() == 1  # still on its list
    assert (report.asked, report.completed, report.unknown) == (1, 1, 0)
    assert [r["id_list"] for r in arxiv.requests] == [NEW_ID]


def test_papers_arxiv_does_not_know_are_asked_about_once(arxiv):
    _hf_only(UNKNOWN)
    first = backfill()
    assert (first.asked, first.unknown) == (1, 1)
    assert Paper.objects.get(arxiv_id=UNKNOWN).arxiv_checked_at is not None
    assert backfill().asked == 0
    assert len(arxiv.requests) == 1


def test_only_second_hand_papers_are_asked_about_and_in_batches_of_100(arxiv, settings):
    make_paper("2604.00001", source="oai")
    _hf_only(*(f"2611.{number:05d}" for number in range(1, 131)))
    settings.BACKFILL_PER_RUN = 120
    report = backfill()
    assert report.asked == 120
    asked = [i for r in arxiv.requests for i in r["id_list"].split(",")]
    assert [len(r["id_list"].split(",")) for r in arxiv.requests] == [100, 20]
    assert "2604.00001" not in asked and len(set(asked)) == 120
    assert Paper.objects.filter(arxiv_checked_at__isnull=True, source="hf-daily").count() == 10


def test_calls_keep_arxivs_pace(arxiv, settings, no_sleep):
    from paperfeed.ingest import api

    _hf_only(*(f"2611.{number:05d}" for number in range(1, 151)))
    settings.ARXIV_API_DELAY = 3.0
    api._last_call = 0.0
    backfill(sleep=no_sleep.append)
    assert len(arxiv.requests) == 2
    assert no_sleep and all(2.0 < wait <= 3.0 for wait in no_sleep)


def test_the_worker_job_runs_it(arxiv):
    _hf_only(NEW_ID)
    assert "completed 1" in runner.run_scheduled("backfill")
    assert Paper.objects.get(arxiv_id=NEW_ID).source == "api"
