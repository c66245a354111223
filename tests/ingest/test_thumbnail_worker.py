"""The worker renders first-page thumbnails from PDFs a local server serves (tests make the PDFs)."""

from __future__ import annotations

import io
from datetime import date

import pytest
from PIL import Image

from paperfeed.ingest.thumbnails import MAX_TRIES, render_due
from paperfeed.jobs import runner
from paperfeed.papers.models import Paper
from paperfeed.papers.thumbnails import storage
from paperfeed.versions import keys
from paperfeed.versions.tokens import read
from tests.factories import make_paper
from tests.support.pdfs import PdfServer, two_colour_pdf
from tests.support.servers import LocalServer

pytestmark = pytest.mark.django_db


@pytest.fixture
def pdfs(settings, tmp_path):
    responder = PdfServer()
    with LocalServer(responder) as server:
        settings.ARXIV_PDF_URL = f"{server.url}/pdf"
        settings.ARXIV_API_DELAY = 0
        settings.THUMBNAIL_DIR = tmp_path / "thumbnails"
        server.files = responder.files
        yield server


def test_page_one_is_rendered_stored_and_recorded(pdfs, settings):
    settings.THUMBNAIL_WIDTH = 240
    paper = make_paper("2604.01234", version=3)
    pdfs.files["2604.01234"] = two_colour_pdf()
    report = render_due()
    assert (report.rendered, report.failed) == (1, 0)
    assert [r["path"] for r in pdfs.requests] == ["/pdf/2604.01234v3"]
    paper.refresh_from_db()
    stored = storage().load(paper.thumbnail)
    image = Image.open(io.BytesIO(stored.data))
    assert image.format == "WEBP" and image.width == 240
    assert image.convert("RGB").getpixel((120, 10))[0] > 180  # the red top half of page one
    assert render_due().rendered == 0  # done once


def test_a_new_thumbnail_makes_the_cached_paper_page_stale(pdfs):
    make_paper("2604.01234")
    pdfs.files["2604.01234"] = two_colour_pdf()
    before = read([keys.paper("2604.01234")])
    render_due()
    assert read([keys.paper("2604.01234")]) != before


def test_missing_or_broken_pdfs_count_tries_and_are_left_after_the_last(pdfs):
    make_paper("2604.00001")  # 404
    make_paper("2604.00002")
    pdfs.files["2604.00002"] = b"%PDF-1.7 but nothing after it"
    for attempt in range(1, MAX_TRIES + 1):
        report = render_due()
        assert (report.rendered, report.failed) == (0, 2)
        assert "HTTP 404" in report.failures[0] or "HTTP 404" in report.failures[1]
        assert set(Paper.objects.values_list("thumbnail_tries", flat=True)) == {attempt}
    assert render_due().failed == 0
    assert len(pdfs.requests) == 2 * MAX_TRIES


def test_newest_first_a_bounded_batch_hidden_and_withdrawn_skipped(pdfs, settings):
    old = make_paper("2601.00001", announced=date(2026, 1, 5))
    new = make_paper("2604.00001", announced=date(2026, 4, 5))
    make_paper("2604.00002", announced=date(2026, 4, 6), hidden=True)
    make_paper("2604.00003", announced=date(2026, 4, 7), withdrawn=True)
    for paper in (old, new):
        pdfs.files[paper.arxiv_id] = two_colour_pdf()
    settings.THUMBNAILS_PER_RUN = 1
    assert render_due().rendered == 1
    assert [r["path"] for r in pdfs.requests] == ["/pdf/2604.00001v1"]
    assert render_due().rendered == 1
    assert render_due().rendered == 0
    assert set(Paper.objects.exclude(thumbnail="").values_list("arxiv_id", flat=True)) == {old.arxiv_id,
                                                                                            new.arxiv_id}


def test_fetches_keep_arxivs_pace(pdfs, settings):
    for number in (1, 2, 3):
        make_paper(f"2604.0000{number}")
        pdfs.files[f"2604.0000{number}"] = two_colour_pdf()
    settings.ARXIV_API_DELAY = 3.0
    waits: list[float] = []
    assert render_due(sleep=waits.append).rendered == 3
    assert waits == [3.0, 3.0]


def test_the_worker_job_runs_it(pdfs):
    make_paper("2604.01234")
    pdfs.files["2604.01234"] = two_colour_pdf()
    assert "rendered 1, failed 0" in runner.run_scheduled("thumbnails")
    assert Paper.objects.get(arxiv_id="2604.01234").thumbnail
