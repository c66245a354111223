"""Thumbnails on the web (served with caching headers, placeholders when none), the list/grid card
toggle (no JavaScript, remembered, kept apart in the page cache), metadata on cards and the paper
page (stars, organisation, project page, submitter), comment URLs as safe links, and the API."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from django.test import Client

from paperfeed.ingest.thumbnails import render_due
from paperfeed.lists import cache as page_cache
from paperfeed.papers.models import DailyEntry, Paper
from paperfeed.web.layout import COOKIE
from tests.factories import list_paper, make_paper
from tests.support.pdfs import PdfServer, two_colour_pdf
from tests.support.servers import LocalServer

pytestmark = pytest.mark.django_db
DAY = date(2026, 4, 2)


@pytest.fixture(autouse=True)
def _empty_page_cache():
    page_cache.pages.clear()
    yield
    page_cache.pages.clear()


@pytest.fixture
def rendered(settings, tmp_path):
    """A listed paper whose thumbnail the worker rendered from a PDF a local server served."""
    settings.THUMBNAIL_DIR = tmp_path / "thumbnails"
    settings.ARXIV_API_DELAY = 0
    paper = make_paper("2604.01234", announced=DAY)
    list_paper(paper, DAY)
    with LocalServer(PdfServer({"2604.01234": two_colour_pdf()})) as server:
        settings.ARXIV_PDF_URL = f"{server.url}/pdf"
        assert render_due().rendered == 1
    paper.refresh_from_db()
    return paper


def test_thumbnail_is_served_with_caching_headers(client, rendered, settings):
    settings.THUMBNAIL_MAX_AGE = 3600
    response = client.get("/papers/2604.01234/thumbnail.webp")
    assert response.status_code == 200 and response["Content-Type"] == "image/webp"
    assert response.content[:4] == b"RIFF" and response.content[8:12] == b"WEBP"
    assert response["ETag"].startswith('"') and response["Last-Modified"].endswith("GMT")
    assert "max-age=3600" in response["Cache-Control"] and "public" in response["Cache-Control"]


def test_thumbnail_revalidates_with_304(client, rendered):
    first = client.get("/papers/2604.01234/thumbnail.webp")
    by_etag = client.get("/papers/2604.01234/thumbnail.webp", HTTP_IF_NONE_MATCH=first["ETag"])
    assert by_etag.status_code == 304 and by_etag.content == b"" and by_etag["ETag"] == first["ETag"]
    by_date = client.get("/papers/2604.01234/thumbnail.webp", HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert by_date.status_code == 304
    stale = client.get("/papers/2604.01234/thumbnail.webp", HTTP_IF_NONE_MATCH='"something-else"')
    assert stale.status_code == 200 and stale.content == first.content


def test_no_thumbnail_is_a_404_and_a_hidden_paper_has_none(client, rendered):
    make_paper("2604.05555")
    assert client.get("/papers/2604.05555/thumbnail.webp").status_code == 404
    assert client.get("/papers/2699.99999/thumbnail.webp").status_code == 404
    Paper.objects.filter(pk=rendered.pk).update(hidden=True)
    assert client.get("/papers/2604.01234/thumbnail.webp").status_code == 404


def test_cards_show_the_thumbnail_or_a_placeholder(client, rendered):
    other = make_paper("2604.05555", categories="cs.CL", announced=DAY)
    list_paper(other, DAY)
    html = client.get("/date/2026-04-02/").content.decode()
    assert '<img src="/papers/2604.01234/thumbnail.webp"' in html
    placeholder = re.search(r'<span class="thumb-placeholder">(.*?)</span></a>', html, re.S).group(1)
    assert "cs.CL" in placeholder and "2604.05555" in placeholder


def test_the_placeholder_and_stylesheet_exist_as_static_files():
    from django.contrib.staticfiles import finders

    svg = finders.find("img/thumb-placeholder.svg")
    assert svg and Path(svg).read_text().lstrip().startswith("<svg")
    css = Path(finders.find("css/cards.css")).read_text()
    assert "thumb-placeholder.svg" in css and ".layout-grid" in css


def _body_class(response) -> str:
    return re.search(r'<body class="([^"]*)"', response.content.decode()).group(1)


def test_layout_toggle_works_without_javascript_and_is_remembered(settings):
    settings.CARD_LAYOUT = "list"
    list_paper(make_paper("2604.00001", announced=DAY), DAY)
    reader = Client()
    first = reader.get("/date/2026-04-02/")
    assert _body_class(first) == "layout-list"
    html = first.content.decode()
    assert 'href="?layout=grid"' in html and 'href="?layout=list" aria-current="page"' in html
    chosen = reader.get("/date/2026-04-02/?layout=grid")
    assert _body_class(chosen) == "layout-grid" and chosen.cookies[COOKIE].value == "grid"
    assert _body_class(reader.get("/trending/")) == "layout-grid"  # remembered on the next page
    assert _body_class(reader.get("/date/2026-04-02/")) == "layout-grid"
    assert _body_class(Client().get("/date/2026-04-02/")) == "layout-list"  # others keep the default
    assert _body_class(reader.get("/date/2026-04-02/?layout=list")) == "layout-list"
    assert _body_class(reader.get("/date/2026-04-02/")) == "layout-list"


def test_the_page_cache_never_serves_one_layout_for_the_other(settings):
    settings.PAGE_CACHE = True
    list_paper(make_paper("2604.00001", announced=DAY), DAY)
    grid = Client()
    grid.cookies[COOKIE] = "grid"
    for _ in range(2):  # the second round comes from the cache
        assert _body_class(Client().get("/date/2026-04-02/")) == "layout-list"
        assert _body_class(grid.get("/date/2026-04-02/")) == "layout-grid"


def test_the_default_layout_is_a_setting(settings):
    settings.CARD_LAYOUT = "grid"
    list_paper(make_paper("2604.00001", announced=DAY), DAY)
    assert _body_class(Client().get("/date/2026-04-02/")) == "layout-grid"


@pytest.fixture
def described():
    paper = make_paper("2604.07777", announced=DAY, code_url="https://github.com/org/repo", github_stars=1234,
                       project_url="https://org.github.io/repo", organization="ByteDance-Seed",
                       organization_name="ByteDance Seed",
                       comment="Code: \\url{https://github.com/org/repo}; <b>bold</b> see https://x.org/a_b.")
    list_paper(paper, DAY, submitter_name="Hyungjoo Chae")
    return paper


def test_cards_show_stars_organisation_project_page_and_submitter(client, described):
    html = client.get("/date/2026-04-02/").content.decode()
    card = html[html.index('id="card-'):]
    assert "★</span> 1.2k" in card and 'title="1234 GitHub stars"' in card
    assert 'href="https://huggingface.co/ByteDance-Seed"' in card and ">ByteDance Seed</a>" in card
    assert 'href="https://org.github.io/repo"' in card and "submitted by Hyungjoo Chae" in card


def test_paper_page_shows_them_and_links_comment_urls_safely(client, described):
    html = client.get("/papers/2604.07777/").content.decode()
    assert "1.2k" in html and ">ByteDance Seed</a>" in html and "submitted by Hyungjoo Chae" in html
    comment = re.search(r'<p class="comment">(.*?)</p>', html, re.S).group(1)
    assert '<a href="https://github.com/org/repo" rel="nofollow">https://github.com/org/repo</a>' in comment
    assert '<a href="https://x.org/a_b" rel="nofollow">https://x.org/a_b</a>.' in comment
    assert "&lt;b&gt;bold&lt;/b&gt;" in comment and "<b>" not in comment and "\\url" not in comment


def test_a_hostile_comment_stays_text(client):
    make_paper("2604.08888", raw=True, comment='see javascript:alert(1) and "><script>alert(2)</script> '
                                                'http://ok.example/"onmouseover="alert(3)')
    comment = re.search(r'<p class="comment">(.*?)</p>', client.get("/papers/2604.08888/").content.decode(),
                        re.S).group(1)
    assert "<script" not in comment and 'href="javascript' not in comment
    assert 'onmouseover="' not in comment


def test_api_gives_organisation_and_our_thumbnail_in_hugging_faces_shape(client, rendered, settings):
    Paper.objects.filter(pk=rendered.pk).update(organization="acme", organization_name="Acme Research")
    paper = client.get("/api/papers/2604.01234").json()
    assert paper["organization"]["name"] == "acme" and paper["organization"]["fullname"] == "Acme Research"
    item = next(i for i in client.get("/api/daily_papers?date=2026-04-02").json()
                if i["paper"]["id"] == "2604.01234")
    assert item["thumbnail"] == f"{settings.SITE_URL}/papers/2604.01234/thumbnail.webp"
    assert item["organization"]["name"] == "acme"
    imported = DailyEntry.objects.get(paper=rendered)
    imported.extra = {"thumbnail": "https://cdn.example/t.png"}
    imported.save()
    page_cache.pages.clear()
    item = next(i for i in client.get("/api/daily_papers?date=2026-04-02").json()
                if i["paper"]["id"] == "2604.01234")
    assert item["thumbnail"] == "https://cdn.example/t.png"  # what Hugging Face said wins
