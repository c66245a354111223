"""The paper page and its Markdown twin."""

from __future__ import annotations

from datetime import date

import pytest

from paperfeed.accounts import collections, votes
from paperfeed.papers.models import DailyEntry
from paperfeed.search import reader
from paperfeed.web import related
from tests.factories import list_paper, make_paper

pytestmark = pytest.mark.django_db


@pytest.fixture
def paper(member):
    p = make_paper(  # raw: the text exactly as stored, hard line break included
        "2604.01234",
        raw=True,
        title="Scaling $\\alpha$-divergences",
        abstract="We scale \\(x^2\\) things.\nSecond line.",
        authors=["A One", "B Two", "C Three", "D Four", "E Five"],
        categories="cs.LG stat.ML",
        version=2,
        versions=[{"version": 1, "date": "2026-03-30T12:00:00Z"}, {"version": 2, "date": "2026-04-01T12:00:00Z"}],
        code_url="https://github.com/example/scaling",
        project_url="https://example.org/scaling",
        doi="10.1000/xyz123",
        comment="12 pages",
        imported_upvotes=7,
    )
    list_paper(p, date(2026, 4, 2), source=DailyEntry.Source.MEMBER, submitted_by=member)
    return p


def test_paper_page_shows_everything(client, paper):
    response = client.get("/papers/2604.01234/")
    assert response.status_code == 200
    html = response.content.decode()
    for needle in [
        "Scaling $\\alpha$-divergences",  # LaTeX kept as text for KaTeX to render
        "A One", "E Five",
        "We scale \\(x^2\\) things.<br>Second line.",
        "https://arxiv.org/pdf/2604.01234v2",
        "https://arxiv.org/abs/2604.01234",
        'href="https://github.com/example/scaling"',
        'href="https://example.org/scaling"',
        "v1</a> 2026-03-30", "v2</a> 2026-04-01",
        "cs.LG", "stat.ML",
        '<a href="/date/2026-04-02/">Apr 2, 2026</a> · submitted by <a href="/u/alice/">alice</a>',
        "10.1000/xyz123",
        "12 pages",
        '<span class="count">7</span>',
        "No similar papers found yet.",
        'type="text/markdown"',
    ]:
        assert needle in html, needle


def test_paper_page_for_a_member(client, member, paper):
    votes.upvote(member, paper)
    reading = collections.create(member, "Reading")
    collections.add(reading, paper)
    collections.create(member, "Later")
    client.force_login(member)
    html = client.get("/papers/2604.01234/").content.decode()
    assert 'aria-pressed="true"' in html and '<span class="count">8</span>' in html
    assert 'aria-label="Remove from Reading"' in html and 'aria-label="Save to Later"' in html


@pytest.mark.parametrize(
    "url, status",
    [
        ("/papers/2604.99999/", 404),
        ("/papers/1234.5678/", 404),
        ("/papers/not-an-id/", 404),
        ("/papers/2613.01234/", 404),
        ("/papers/2604.01234v2/", 301),
        ("/papers/2604.01234.md", 200),
        ("/papers/2604.99999.md", 404),
    ],
)
def test_paper_urls(client, paper, url, status):
    assert client.get(url).status_code == status


def test_version_suffix_redirects_to_canonical(client, paper):
    assert client.get("/papers/2604.01234v1/")["Location"] == "/papers/2604.01234/"


def test_old_style_ids(client):
    make_paper("hep-th/9901001", title="Old style paper", categories="hep-th")
    assert "Old style paper" in client.get("/papers/hep-th/9901001/").content.decode()
    assert client.get("/papers/hep-th/9901001.md").status_code == 200


def test_hidden_paper_is_gone(client):
    make_paper("2604.05555", hidden=True)
    assert client.get("/papers/2604.05555/").status_code == 404
    assert client.get("/papers/2604.05555.md").status_code == 404


def test_markdown(client, paper):
    response = client.get("/papers/2604.01234.md")
    assert response["Content-Type"] == "text/markdown; charset=utf-8"
    text = response.content.decode()
    assert text.startswith("# Scaling $\\alpha$-divergences\n")
    assert "- Authors: A One, B Two, C Three, D Four, E Five" in text
    assert "- Code: https://github.com/example/scaling" in text
    assert "- Listed on 2026-04-02, submitted by alice" in text
    assert "## Abstract\n\nWe scale \\(x^2\\) things.\nSecond line." in text


def _install_similar(monkeypatch, fn):
    """Have the search app answer with ``fn`` (to control what the page must filter or survive)."""
    monkeypatch.setattr(related, "similar_papers", fn)


def test_similar_papers_are_shown(client, paper, monkeypatch):
    near = make_paper(title="A neighbouring paper")
    hidden = make_paper(title="A hidden neighbour", hidden=True)
    _install_similar(monkeypatch, lambda p, limit=6: [near, hidden, paper][:limit])
    html = client.get("/papers/2604.01234/").content.decode()
    section = html.split('id="similar-heading"', 1)[1]
    assert "A neighbouring paper" in section and "A hidden neighbour" not in section
    assert "Scaling" not in section  # never the paper itself


def test_similar_papers_failure_degrades_to_none(client, paper, monkeypatch):
    def broken(p, limit=6):
        raise RuntimeError("index missing")

    _install_similar(monkeypatch, broken)
    response = client.get("/papers/2604.01234/")
    assert response.status_code == 200 and "No similar papers found yet." in response.content.decode()


def test_paper_page_query_count(client, member, paper, django_assert_max_num_queries, data_dir):
    # A private data dir: no index, so no similar papers, whatever an earlier test left in the session's.
    reader.forget()
    client.force_login(member)
    for i in range(5):
        collections.create(member, f"C{i}")
    # +3: the page's version token (read, and created on first sight: tests/web/test_cache.py)
    with django_assert_max_num_queries(12):
        assert client.get("/papers/2604.01234/").status_code == 200
