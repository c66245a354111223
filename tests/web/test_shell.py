"""base.html's asset and navigation URLs (web/templatetags/shell.py) are kept per process, and right."""

from __future__ import annotations

import re

from django.templatetags.static import static
from django.test.utils import override_script_prefix
from django.urls import reverse

NAV = {"Daily": "home", "Trending": "trending", "Map": "field_map", "Submit": "submit", "For you": "digests:for_you",
       "Subscribe": "digests:subscribe"}


def _nav_links(html: str) -> dict[str, str]:
    nav = html[html.index('<ul class="nav-links">'):html.index("</ul>")]
    return {label: href for href, label in re.findall(r'<a href="([^"]+)"[^>]*>([^<]+)</a>', nav)}


def test_the_shell_links_what_static_and_reverse_give(client, db):
    html = client.get("/search/").content.decode()
    assert _nav_links(html) == {label: reverse(name) for label, name in NAV.items()}
    for path in ("css/paperfeed.css", "vendor/htmx/htmx.min.js", "js/paperfeed.js", "img/favicon.svg"):
        assert f'"{static(path)}"' in html
    assert 'aria-current="page">Trending<' not in html
    assert 'aria-current="page">Trending<' in client.get(reverse("trending")).content.decode()


def test_each_script_prefix_gets_its_own_links(client, db):
    """Kept per process, yet a deployment under a sub-path links under it, and the root stays the root."""
    plain = _nav_links(client.get("/search/").content.decode())
    with override_script_prefix("/hub/"):  # what the WSGI handler sets from SCRIPT_NAME
        under = _nav_links(client.get("/search/").content.decode())
    again = _nav_links(client.get("/search/").content.decode())
    assert plain == again and plain["Trending"] == "/trending/"
    assert under == {label: "/hub" + href for label, href in plain.items()}
