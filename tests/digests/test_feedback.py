"""Feedback on picks: card forms (CSRF, no JS), signed thumbs links in digests, onboarding, never twice."""

from __future__ import annotations

import re
import time

import pytest
from django.core import signing
from django.test import Client

from paperfeed.accounts import collections
from paperfeed.digests import feedback, picks_cache
from paperfeed.digests.models import Feedback, PicksCache, ShownPick, Subscription
from paperfeed.lists.ranking import parse_period
from paperfeed.papers.models import Paper
from tests.factories import list_paper

from .helpers import real_papers, store, text_part

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_topics(fixtures):
    """Real cs.CV and cs.CL papers from one week (May 2026)."""
    rows = real_papers(str(fixtures), "2026-05-04", "2026-05-10", ("cs.CV", "cs.CL"))
    cv = [r for r in rows if r["categories"][0] == "cs.CV" and "cs.CL" not in r["categories"]][:60]
    cl = [r for r in rows if r["categories"][0] == "cs.CL" and "cs.CV" not in r["categories"]][:60]
    store(cv + cl)
    return cv, cl


def paper(arxiv_id: str) -> Paper:
    return Paper.objects.get(arxiv_id=arxiv_id)


@pytest.fixture
def reader(member, two_topics):
    """A member who saved ten cs.CL papers."""
    _, cl = two_topics
    shelf = collections.create(member, "Parsing")
    for row in cl[:10]:
        collections.add(shelf, paper(row["id"]))
    return member


def csrf_client(user) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


def token_on(page) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())[1]


def test_card_forms_work_without_javascript_and_need_csrf(reader, two_topics):
    cv, _ = two_topics
    target = paper(cv[0]["id"])
    url = f"/papers/{target.arxiv_id}/feedback/"
    anonymous = Client(enforce_csrf_checks=True).get(target.get_absolute_url()).content.decode()
    assert url not in anonymous  # nothing to press before logging in
    client = csrf_client(reader)
    list_paper(target, target.announced)
    listing = f"/date/{cv[0]['date']}/"
    page = client.get(listing)  # a cached list page: the forms are filled in per member
    body = page.content.decode()
    assert f'action="{url}"' in body and "More like this" in body and "Not interested" in body
    assert client.post(url, {"kind": "less"}).status_code == 403  # no CSRF token: refused
    answer = client.post(url, {"kind": "less", "csrfmiddlewaretoken": token_on(page), "next": listing})
    assert answer.status_code == 302 and answer["Location"] == listing
    assert Feedback.objects.get(user=reader, paper=target).kind == "less"
    client.post(url, {"kind": "less", "csrfmiddlewaretoken": token_on(page)})
    assert Feedback.objects.filter(user=reader).count() == 1  # the same word twice: one row
    client.post(url, {"kind": "clear", "csrfmiddlewaretoken": token_on(page)})
    assert not Feedback.objects.filter(user=reader).exists()
    assert client.post(url, {"kind": "meh", "csrfmiddlewaretoken": token_on(page)}).status_code == 400
    assert Client().post(url, {"kind": "more"}).status_code == 302  # anonymous: sent to log in
    assert not Feedback.objects.exists()


def test_not_interested_leaves_the_picks_and_more_like_this_adds_a_topic(reader, two_topics):
    cv, cl = two_topics
    first = [p.paper.pk for p in picks_cache.cached_picks(reader).picks]
    turned_down = Paper.objects.get(pk=first[0])
    feedback.give(reader, turned_down, "less")
    assert PicksCache.objects.get(user=reader).is_due  # feedback marks the cache like a vote
    picks_cache.refresh_due()
    after = [p.paper.pk for p in picks_cache.cached_picks(reader).picks]
    assert turned_down.pk not in after
    assert set(after) & set(first)  # the rest of the list stays: picks still on it are kept
    for row in cv[:8]:
        feedback.give(reader, paper(row["id"]), "more")
    picks_cache.refresh_due()
    picks = picks_cache.cached_picks(reader).picks
    cv_ids = {r["id"] for r in cv}
    assert any(p.paper.arxiv_id in cv_ids for p in picks)
    assert any("“more like this”" in p.reason for p in picks)
    assert not {p.paper.arxiv_id for p in picks} & {r["id"] for r in cv[:8]}  # theirs now: not picks


class _OldSigner(signing.TimestampSigner):
    def timestamp(self) -> str:
        return signing.b62_encode(int(time.time()) - 3600)


def test_digest_thumbs_links_work_without_login_once_and_expire(smtp, reader, two_topics, settings):
    Subscription.objects.create(email=reader.email, user=reader, include_picks=True, frequency="weekly",
                                status=Subscription.Status.ACTIVE, categories=["cs.CL"])
    from paperfeed.digests import sending

    assert sending.send_digests("weekly", parse_period("2026-W19")).sent == 1
    text = text_part(smtp.messages[-1])
    more = re.search(r"More like this: (\S+)", text)[1]
    less = re.findall(r"Not interested: (\S+)", text)[1]
    assert more.startswith(settings.SITE_URL + "/feedback/")
    anonymous = Client(enforce_csrf_checks=True)
    # Opening the link (a mail scanner does that to every link) only asks; the button records it.
    opened = anonymous.get(more[len(settings.SITE_URL):])
    assert opened.status_code == 200 and "More papers like this?" in opened.content.decode()
    assert f'action="{more[len(settings.SITE_URL):]}"' in opened.content.decode()
    assert not Feedback.objects.filter(user=reader).exists()
    first = anonymous.post(more[len(settings.SITE_URL):])
    assert first.status_code == 200 and "More like this: noted" in first.content.decode()
    row = Feedback.objects.get(user=reader)
    assert (row.kind, row.source) == ("more", "email")
    assert anonymous.post(more[len(settings.SITE_URL):]).status_code == 200
    assert Feedback.objects.get(user=reader).updated_at == row.updated_at  # a second click changes nothing
    assert anonymous.get(less[len(settings.SITE_URL):]).status_code == 200
    assert Feedback.objects.get(user=reader).kind == "more"  # opened, not clicked
    assert anonymous.post(less[len(settings.SITE_URL):]).status_code == 200
    assert Feedback.objects.filter(user=reader, kind="less").count() == 1
    tampered = more[len(settings.SITE_URL):].replace("/feedback/", "/feedback/x")
    assert anonymous.get(tampered).status_code == 400
    assert anonymous.post(tampered).status_code == 400
    old = _OldSigner(salt=feedback.LINK_SALT).sign_object({"u": reader.pk, "p": row.paper_id, "k": "less"})
    settings.RECOMMEND_FEEDBACK_LINK_MAX_AGE = 60
    expired = anonymous.post(f"/feedback/{old}/")
    assert expired.status_code == 400 and "expired" in expired.content.decode()
    assert "expired" in anonymous.get(f"/feedback/{old}/").content.decode()
    assert Feedback.objects.get(user=reader, paper_id=row.paper_id).kind == "more"


def test_a_paper_is_never_recommended_twice(smtp, reader, two_topics):
    on_page = [p.paper.pk for p in picks_cache.cached_picks(reader).picks]
    assert set(ShownPick.objects.filter(user=reader).values_list("paper_id", flat=True)) == set(on_page)
    picks_cache.cached_picks(reader)
    assert ShownPick.objects.filter(user=reader).count() == len(on_page)  # one record per list, not per view
    Subscription.objects.create(email=reader.email, user=reader, include_picks=True, frequency="weekly",
                                status=Subscription.Status.ACTIVE, categories=["cs.CL"])
    from paperfeed.digests import sending

    assert sending.send_digests("weekly", parse_period("2026-W19")).sent == 1
    mailed = set(Paper.objects.filter(arxiv_id__in=sending.DigestSend.objects.get().paper_ids)
                 .values_list("pk", flat=True))
    in_digest = set(ShownPick.objects.filter(user=reader, where="digest").values_list("paper_id", flat=True))
    assert in_digest and in_digest <= mailed and not in_digest & set(on_page)
    feedback.give(reader, Paper.objects.get(pk=on_page[0]), "less")
    picks_cache.refresh_due()
    refreshed = {p.paper.pk for p in picks_cache.cached_picks(reader).picks}
    assert not refreshed & in_digest and on_page[0] not in refreshed


def test_onboarding_by_author_name_shows_picks_at_once(client, member, two_topics):
    _, cl = two_topics
    client.force_login(member)
    form = client.get("/for-you/start/")
    assert form.status_code == 200 and 'name="author"' in form.content.decode()
    unknown = client.post("/for-you/start/", {"author": "Nobody Byname Atall"})
    assert unknown.status_code == 400 and "No paper on this hub" in unknown.content.decode()
    name = cl[0]["authors"][0]
    answer = client.post("/for-you/start/", {"author": f"  {name.upper()} "})
    assert answer.status_code == 302 and answer["Location"] == "/for-you/"
    row = PicksCache.objects.get(user=member)
    assert row.picks and not row.is_due  # computed in the request, not left to the worker
    claimed = set(Feedback.objects.filter(user=member, source="author").values_list("paper__arxiv_id", flat=True))
    assert cl[0]["id"] in claimed
    assert all(name in paper(a).authors for a in claimed)
    page = client.get("/for-you/").content.decode()
    assert "in your papers" in page and 'href="/for-you/start/"' in page


def test_onboarding_by_picked_papers(client, member, two_topics):
    _, cl = two_topics
    client.force_login(member)
    assert client.post("/for-you/start/", {}).status_code == 400
    chosen = [paper(r["id"]).pk for r in cl[:5]]
    answer = client.post("/for-you/start/", {"paper": [str(pk) for pk in chosen]})
    assert answer.status_code == 302
    picks = picks_cache.cached_picks(member).picks
    assert len(picks) == picks_cache.PICKS_PER_MEMBER
    cl_ids = {r["id"] for r in cl[5:]}
    assert sum(p.paper.arxiv_id in cl_ids for p in picks) >= 15
    assert all("the papers you picked" in p.reason for p in picks)
