"""The grid of thumbnails in real Chromium: the toggle works without JavaScript, cards sit side by
side, papers without a thumbnail show the placeholder page, and rendered thumbnails load."""

from __future__ import annotations

from datetime import date

import pytest

from paperfeed.ingest.thumbnails import render_due
from tests.factories import list_paper, make_paper
from tests.support.pdfs import PdfServer, two_colour_pdf
from tests.support.servers import LocalServer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
DAY = date(2026, 4, 2)


@pytest.fixture
def day_papers(settings, tmp_path):
    """Six papers on one day's list; the worker rendered a thumbnail for the last."""
    settings.THUMBNAIL_DIR = tmp_path / "thumbnails"
    settings.ARXIV_API_DELAY = 0
    papers = [make_paper(f"2604.0000{n}", title=f"Paper number {n}", categories="cs.CV", announced=DAY,
                         imported_upvotes=10 - n) for n in range(1, 7)]
    for paper in papers:
        list_paper(paper, DAY)
    with LocalServer(PdfServer({"2604.00006": two_colour_pdf()})) as server:
        settings.ARXIV_PDF_URL = f"{server.url}/pdf"
        settings.THUMBNAILS_PER_RUN = 1
        assert render_due().rendered == 1
    return papers


def _boxes(page) -> list[dict]:
    return [card.bounding_box() for card in page.locator(".paper-list .paper-card").all()]


def test_grid_toggle_without_javascript(nojs_page, day_papers):
    page = nojs_page
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto("/date/2026-04-02/")
    boxes = _boxes(page)
    assert len({round(b["x"]) for b in boxes}) == 1  # the list: one column
    assert not page.locator(".card-thumb").first.is_visible()
    page.get_by_role("link", name="Grid").click()
    boxes = _boxes(page)
    assert len({round(b["x"]) for b in boxes}) >= 3  # the grid: cards side by side
    assert page.locator(".card-thumb img").first.is_visible()
    placeholder = page.locator(".thumb-placeholder").first
    assert placeholder.is_visible() and "cs.CV" in placeholder.inner_text()
    assert placeholder.bounding_box()["height"] > 100
    page.get_by_role("link", name="Trending", exact=True).click()
    assert page.locator("body.layout-grid").count() == 1  # remembered across pages


def test_rendered_thumbnail_loads_in_the_grid(page, day_papers):
    page.goto("/date/2026-04-02/?layout=grid")
    image = page.locator(".card-thumb img").first
    image.scroll_into_view_if_needed()
    page.wait_for_function("() => document.querySelector('.card-thumb img').complete")
    assert page.evaluate("() => document.querySelector('.card-thumb img').naturalWidth") > 0
