"""Autoescaping of hostile titles/abstracts everywhere, CSP without inline scripts, CSRF on forms."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from paperfeed.accounts import collections, votes
from tests.factories import HOSTILE_ABSTRACT, HOSTILE_TITLE, list_paper, make_paper

pytestmark = pytest.mark.django_db

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)


@pytest.fixture
def hostile(member):
    paper = make_paper(  # raw: upsert refuses these, the pages must still be safe for such rows
        "2604.06666",
        raw=True,
        title=HOSTILE_TITLE,
        abstract=HOSTILE_ABSTRACT,
        authors=['<b onmouseover="x()">Mallory</b>', "Eve\"><script>alert('e')</script>"],
        categories="cs.CR",
        comment='<iframe src="javascript:alert(3)">',
        imported_upvotes=3,
    )
    list_paper(paper, submitter_name="<script>alert('s')</script>")
    votes.upvote(member, paper)
    shelf = collections.create(member, '<img src=x onerror=alert("c")>', public=True)
    collections.add(shelf, paper)
    return paper, shelf


def assert_escaped(html: str) -> None:
    assert "<script>alert" not in html
    assert "<img src=x onerror" not in html
    assert '"><img' not in html
    assert "<iframe" not in html
    assert '<b onmouseover' not in html
    assert not INLINE_SCRIPT.search(html), INLINE_SCRIPT.search(html)


def pages(paper, shelf) -> list[str]:
    return [
        "/",
        "/date/2026-04-02/",
        "/week/2026-W14/",
        "/month/2026-04/",
        "/trending/",
        f"/papers/{paper.arxiv_id}/",
        "/u/alice/",
        f"/u/alice/c/{shelf.slug}/",
        f"/papers/{paper.arxiv_id}/save/",
    ]


def test_hostile_text_is_escaped_for_visitors(client, hostile):
    paper, shelf = hostile
    for url in pages(paper, shelf)[:-1]:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert_escaped(html)
    html = client.get(f"/papers/{paper.arxiv_id}/").content.decode()
    assert "Attack &lt;script&gt;alert(&quot;t&quot;)&lt;/script&gt;" in html
    assert "$\\mathcal{O}(n^2)$" in html  # LaTeX left intact for KaTeX
    assert "\\(x &lt; y\\)" in html


def test_hostile_text_is_escaped_for_the_member(member_client, hostile):
    paper, shelf = hostile
    for url in pages(paper, shelf):
        response = member_client.get(url)
        assert response.status_code == 200, url
        assert_escaped(response.content.decode())
    fragment = member_client.post(
        f"/papers/{paper.arxiv_id}/save/", {"action": "create", "name": "<script>alert(9)</script>"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert_escaped(fragment)
    assert "&lt;script&gt;alert(9)&lt;/script&gt;" in fragment


def test_markdown_is_served_as_text(client, hostile):
    response = client.get(f"/papers/{hostile[0].arxiv_id}.md")
    assert response["Content-Type"].startswith("text/markdown")
    assert response["X-Content-Type-Options"] == "nosniff"


def test_csp_forbids_inline_scripts_and_pages_need_none(client, hostile):
    response = client.get("/")
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp.split("script-src", 1)[1].split(";")[0]
    html = response.content.decode()
    scripts = re.findall(r'<script src="([^"]+)"', html)
    assert scripts == [
        "/static/vendor/htmx/htmx.min.js",
        "/static/vendor/katex/katex.min.js",
        "/static/vendor/katex/contrib/auto-render.min.js",
        "/static/js/paperfeed.js",
    ]
    assert "cdn" not in html.lower() and "https://unpkg" not in html


def test_vendored_assets_are_served(client):
    for path in scripts_and_styles():
        response = client.get(path)
        assert response.status_code == 200, path
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert len(body) > 100, path


def scripts_and_styles() -> list[str]:
    return [
        "/static/vendor/htmx/htmx.min.js",
        "/static/vendor/katex/katex.min.js",
        "/static/vendor/katex/katex.min.css",
        "/static/vendor/katex/contrib/auto-render.min.js",
        "/static/vendor/katex/fonts/KaTeX_Main-Regular.woff2",
        "/static/js/paperfeed.js",
        "/static/css/paperfeed.css",
    ]


def test_every_post_form_carries_a_csrf_token(member_client, hostile):
    paper, shelf = hostile
    for url in pages(paper, shelf) + ["/submit/", "/accounts/password/change/"]:
        html = member_client.get(url).content.decode()
        forms = re.findall(r"<form[^>]*method=\"post\"[^>]*>(.*?)</form>", html, re.S)
        assert forms, url
        for body in forms:
            assert 'name="csrfmiddlewaretoken"' in body, (url, body[:200])


def test_posts_without_csrf_token_are_refused(member, hostile):
    paper, shelf = hostile
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(member)
    for url, data in [
        (f"/papers/{paper.arxiv_id}/vote/", {"action": "remove"}),
        (f"/papers/{paper.arxiv_id}/save/", {"action": "create", "name": "x"}),
        ("/accounts/collections/new/", {"name": "x"}),
        (f"/accounts/collections/{shelf.pk}/delete/", {}),
        ("/accounts/token/", {}),
        ("/submit/", {"arxiv_id": paper.arxiv_id}),
        ("/accounts/logout/", {}),
    ]:
        assert strict.post(url, data).status_code == 403, url
    assert paper.upvote_set.count() == 1
