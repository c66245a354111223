"""The page cache: each write invalidates exactly the pages it changes, and members get their own state.

A page served from the cache costs one query (its version tokens) for an anonymous reader, so
"not re-rendered" is asserted as "answered with that one query", and "re-rendered" by the new
content. Writes go through the real write paths (votes, submissions, upsert, Hugging Face
listings, the admin), as they do in production.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from paperfeed.accounts import submissions, votes
from paperfeed.ingest import hf_daily
from paperfeed.lists import cache as page_cache
from paperfeed.papers.models import DailyEntry, Paper
from paperfeed.versions import keys
from paperfeed.versions.tokens import bump, read
from tests.factories import list_paper, make_paper

pytestmark = pytest.mark.django_db

DAY_A, DAY_B = date(2026, 4, 2), date(2026, 4, 3)


@pytest.fixture
def two_days():
    """Two listed days; the same paper ids and titles every time."""
    a = make_paper("2604.00001", title="Alpha paper", imported_upvotes=5, announced=DAY_A)
    b = make_paper("2604.00002", title="Beta paper", imported_upvotes=7, announced=DAY_B)
    list_paper(a, DAY_A)
    list_paper(b, DAY_B)
    return a, b


def served_from_cache(client: Client, url: str, django_assert_num_queries) -> str:
    """The page, asserting it came from the cache: one query, the version tokens."""
    with django_assert_num_queries(1):
        response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def votes_shown(html: str, arxiv_id: str) -> str:
    """The vote count on a paper's button (the marker the page is built from is never left in)."""
    assert "<!--pf:" not in html
    after = html.split(f'href="/accounts/login/?next=/papers/{arxiv_id}/', 1)[1]
    return after.split('<span class="count">', 1)[1].split("<", 1)[0]


def test_a_second_request_is_served_from_the_cache(client, two_days, django_assert_num_queries):
    for url in ("/date/2026-04-02/", "/", "/trending/", "/papers/2604.00001/", "/week/2026-W14/",
                "/feeds/daily.rss?period=2026-04-02", "/feeds/category/cs.LG.rss", "/papers/2604.00001.md"):
        first = client.get(url)
        assert first.status_code == 200, url
        assert served_from_cache(client, url, django_assert_num_queries) == first.content.decode(), url


def test_home_is_one_query_once_cached(client, two_days, django_assert_max_num_queries):
    client.get("/")
    with django_assert_max_num_queries(1):
        assert client.get("/").status_code == 200


def test_vote_changes_that_day_and_that_paper_only(client, member, two_days, django_assert_num_queries):
    alpha, _ = two_days
    for url in ("/date/2026-04-02/", "/date/2026-04-03/", "/papers/2604.00001/", "/papers/2604.00002/"):
        client.get(url)
    assert votes_shown(client.get("/date/2026-04-02/").content.decode(), "2604.00001") == "5"
    votes.upvote(member, alpha)
    assert votes_shown(client.get("/date/2026-04-02/").content.decode(), "2604.00001") == "6"
    assert votes_shown(client.get("/papers/2604.00001/").content.decode(), "2604.00001") == "6"
    served_from_cache(client, "/date/2026-04-03/", django_assert_num_queries)
    served_from_cache(client, "/papers/2604.00002/", django_assert_num_queries)
    votes.unvote(member, alpha)
    assert votes_shown(client.get("/date/2026-04-02/").content.decode(), "2604.00001") == "5"


def test_vote_reaches_week_month_trending_feeds_and_api(client, member, two_days):
    alpha, _ = two_days
    urls = ("/week/2026-W14/", "/month/2026-04/", "/trending/")
    before = {url: client.get(url).content.decode() for url in urls}
    api_before = client.get("/api/daily_papers", {"date": "2026-04-02"}).json()
    votes.upvote(member, alpha)
    for url in urls:
        assert votes_shown(client.get(url).content.decode(), "2604.00001") == "6", url
        assert votes_shown(before[url], "2604.00001") == "5", url
    assert api_before[0]["paper"]["upvotes"] == 5
    assert client.get("/api/daily_papers", {"date": "2026-04-02"}).json()[0]["paper"]["upvotes"] == 6


def test_api_is_cached_and_says_json(client, two_days, django_assert_num_queries):
    first = client.get("/api/daily_papers", {"date": "2026-04-03"})
    with django_assert_num_queries(1):
        again = client.get("/api/daily_papers", {"date": "2026-04-03"})
    assert again["Content-Type"].startswith("application/json")
    assert again.json() == first.json() and first.json()[0]["paper"]["id"] == "2604.00002"
    assert client.get("/api/daily_papers", {"date": "2026-02-30"}).status_code == 400


def test_submission_lists_on_today_and_leaves_other_days(member, two_days, django_assert_num_queries):
    client = Client()
    today = timezone.localdate()
    url = f"/date/{today.isoformat()}/"
    assert "Gamma paper" not in client.get(url).content.decode()
    client.get("/date/2026-04-03/")
    make_paper("2604.00003", title="Gamma paper", announced=today)
    submissions.submit(member, "2604.00003")
    assert "Gamma paper" in client.get(url).content.decode()
    assert "Gamma paper" in client.get("/").content.decode()  # in the "so far today" strip
    # Today became a listed day, so the neighbours' links moved; the same holds for the API.
    assert f'href="{url}" rel="next"' in client.get("/date/2026-04-03/").content.decode()


def test_upsert_of_new_metadata_changes_the_pages_of_that_paper(client, two_days, django_assert_num_queries):
    for url in ("/date/2026-04-02/", "/date/2026-04-03/", "/papers/2604.00001/"):
        client.get(url)
    make_paper("2604.00001", title="Alpha paper, second version", version=2, announced=DAY_A)
    assert "Alpha paper, second version" in client.get("/date/2026-04-02/").content.decode()
    assert "Alpha paper, second version" in client.get("/papers/2604.00001/").content.decode()
    served_from_cache(client, "/date/2026-04-03/", django_assert_num_queries)


def test_imported_listing_appears_on_its_day_only(client, two_days, django_assert_num_queries):
    client.get("/date/2026-04-02/")
    client.get("/date/2026-04-03/")
    item = {"paper": {"id": "2604.00009", "title": "Imported listing", "upvotes": 3, "authors": [{"name": "A. B."}],
                      "publishedAt": "2026-04-01T12:00:00.000Z", "summary": "Imported."}}
    hf_daily.ingest_items(hf_daily.items_from_array([item], DAY_A), progress=False, quiet=True)
    assert DailyEntry.objects.filter(paper__arxiv_id="2604.00009", day=DAY_A).exists()
    assert "Imported listing" in client.get("/date/2026-04-02/").content.decode()
    served_from_cache(client, "/date/2026-04-03/", django_assert_num_queries)


def test_admin_hide_and_edit_change_the_pages(admin_client, two_days, django_assert_num_queries):
    reader = Client()
    alpha, beta = two_days
    for url in ("/date/2026-04-02/", "/date/2026-04-03/", "/papers/2604.00002/"):
        reader.get(url)
    response = admin_client.post("/admin/papers/paper/", {"action": "hide", "_selected_action": [alpha.pk]})
    assert response.status_code == 302
    assert "Alpha paper" not in reader.get("/date/2026-04-02/").content.decode()
    assert reader.get("/papers/2604.00001/").status_code == 404
    entry = DailyEntry.objects.get(paper=beta)
    response = admin_client.post("/admin/papers/dailyentry/", {"action": "hide", "_selected_action": [entry.pk]})
    assert response.status_code == 302
    assert "Beta paper" not in reader.get("/date/2026-04-03/").content.decode()
    assert Paper.objects.get(pk=alpha.pk).hidden


def test_member_state_is_put_on_a_cached_page(client, member, other, two_days, django_assert_max_num_queries):
    alpha, beta = two_days
    votes.upvote(member, alpha)
    anonymous = client.get("/date/2026-04-02/").content.decode()  # fills the cache
    assert 'aria-pressed="true"' not in anonymous and "csrfmiddlewaretoken" not in anonymous
    signed_in = Client(enforce_csrf_checks=True)
    signed_in.force_login(member)
    signed_in.get("/date/2026-04-02/")
    # session, user, the version tokens, the member's votes on the page
    with django_assert_max_num_queries(4):
        html = signed_in.get("/date/2026-04-02/").content.decode()
    assert "<!--pf:" not in html and "pf-csrf-token-placeholder" not in html
    assert 'aria-pressed="true"' in html and member.username in html and "Log out" in html
    assert 'class="save-link"' in html
    # The cached member markup carries this reader's CSRF token: the vote form works without JS.
    token = html.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]
    response = signed_in.post("/papers/2604.00001/vote/", {"action": "remove", "csrfmiddlewaretoken": token})
    assert response.status_code in (200, 302)
    assert not votes.has_upvoted(member, alpha)
    assert 'aria-pressed="true"' not in signed_in.get("/date/2026-04-02/").content.decode()
    bob = Client()
    bob.force_login(other)
    votes.upvote(other, beta)
    html = bob.get("/date/2026-04-03/").content.decode()
    assert 'aria-pressed="true"' in html and other.username in html and member.username not in html


def test_paper_page_side_panel_is_the_members(client, member, two_days):
    from paperfeed.accounts import collections

    collections.create(member, "Reading list")
    client.get("/papers/2604.00001/")  # anonymous fill
    signed_in = Client()
    signed_in.force_login(member)
    html = signed_in.get("/papers/2604.00001/").content.decode()
    assert "Reading list" in html and "Save to collection" in html
    assert "Reading list" not in client.get("/papers/2604.00001/").content.decode()


def test_messages_are_shown_to_their_reader_once(client, member, two_days):
    from paperfeed.accounts import collections

    shelf = collections.create(member, "Shelf")
    signed_in = Client()
    signed_in.force_login(member)
    signed_in.get("/date/2026-04-02/")
    response = signed_in.post("/papers/2604.00001/save/",
                              {"action": "add", "collection": shelf.pk, "next": "/date/2026-04-02/"}, follow=True)
    assert response.redirect_chain[-1][0] == "/date/2026-04-02/"
    assert 'class="message message-success"' in response.content.decode()
    assert 'class="message' not in signed_in.get("/date/2026-04-02/").content.decode()
    assert 'class="message' not in client.get("/date/2026-04-02/").content.decode()


def test_tokens_are_fresh_per_database_and_bumps_change_them(two_days):
    first = read([keys.day(DAY_A), keys.day(DAY_B)])
    assert read([keys.day(DAY_A), keys.day(DAY_B)]) == first
    bump([keys.day(DAY_A)])
    after = read([keys.day(DAY_A), keys.day(DAY_B)])
    assert after[0] != first[0] and after[1] == first[1]


def test_the_cache_is_bounded_and_ages_out(settings):
    cache = page_cache.LocalCache()
    settings.PAGE_CACHE_MB = 1
    for n in range(5):
        cache.put(("page", n), n, 300 * 1024)
    assert cache.get(("page", 0)) is None and cache.get(("page", 4)) == 4
    settings.PAGE_CACHE_MAX_AGE = 0
    cache.put(("page", 9), 9, 10)
    assert cache.get(("page", 9)) is None


def test_cache_can_be_turned_off(client, settings, two_days):
    settings.PAGE_CACHE = False
    client.get("/date/2026-04-02/")
    with CaptureQueriesContext(connection) as queries:
        assert "Alpha paper" in client.get("/date/2026-04-02/").content.decode()
    assert not any("versions_contentversion" in q["sql"] for q in queries.captured_queries)
    assert len(queries.captured_queries) > 3


def test_a_day_is_not_cached_past_its_tokens_after_a_raw_bump(client, two_days):
    """Another process or node bumps through the database only; nothing local is told."""
    client.get("/date/2026-04-02/")
    Paper.objects.filter(arxiv_id="2604.00001").update(title="Renamed elsewhere")
    assert "Renamed elsewhere" not in client.get("/date/2026-04-02/").content.decode()
    bump([keys.day(DAY_A)])
    assert "Renamed elsewhere" in client.get("/date/2026-04-02/").content.decode()
