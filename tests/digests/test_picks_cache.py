"""Cached personal picks: the page reads the cache, votes and saves queue a refresh the worker runs."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction
from django_q.models import OrmQ

from paperfeed.accounts import collections
from paperfeed.accounts.votes import unvote, upvote
from paperfeed.digests import picks_cache
from paperfeed.digests.models import PicksCache
from paperfeed.digests.recommendations import recent_window
from paperfeed.jobs import runner
from paperfeed.papers.models import Paper

from .helpers import real_papers, store

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_topics(fixtures):
    """Real cs.CV and cs.CL papers from one week (May 2026)."""
    rows = real_papers(str(fixtures), "2026-05-04", "2026-05-10", ("cs.CV", "cs.CL"))
    cv = [r for r in rows if r["categories"][0] == "cs.CV" and "cs.CL" not in r["categories"]][:60]
    cl = [r for r in rows if r["categories"][0] == "cs.CL" and "cs.CV" not in r["categories"]][:60]
    store(cv + cl)
    return cv, cl


@pytest.fixture
def reader(member, two_topics):
    """A member who saved ten cs.CL papers, logged in."""
    _, cl = two_topics
    shelf = collections.create(member, "Parsing")
    for row in cl[:10]:
        collections.add(shelf, Paper.objects.get(arxiv_id=row["id"]))
    return member


def paper(arxiv_id: str) -> Paper:
    return Paper.objects.get(arxiv_id=arxiv_id)


def queued_refreshes() -> list[dict]:
    return [row.task for row in OrmQ.objects.all() if row.task["func"] == picks_cache.REFRESH_TASK]


def run_queue_as_the_worker() -> None:
    """Execute the queued tasks the way the worker's cluster does: import the function, call it."""
    from django.utils.module_loading import import_string

    for row in OrmQ.objects.all():
        task = row.task
        import_string(task["func"])(*task["args"], **task["kwargs"])
        row.delete()


def shown(page) -> list[str]:
    body = page.content.decode()
    return [pk for pk in Paper.objects.values_list("arxiv_id", flat=True) if f'id="card-{paper(pk).pk}"' in body]


def test_first_visit_computes_once_then_the_page_reads_the_cache(client, reader, two_topics):
    _, cl = two_topics
    client.force_login(reader)
    first = client.get("/for-you/")
    assert first.status_code == 200 and "Similar to" in first.content.decode()
    row = PicksCache.objects.get(user=reader)
    assert len(row.picks) == picks_cache.PICKS_PER_MEMBER and not row.is_due
    assert sum(p in {r["id"] for r in cl[10:]} for p in shown(first)) >= 15
    # What the page shows is the stored row, not a fresh computation.
    pinned = [cl[30]["id"], cl[31]["id"]]
    row.picks = [{"paper": paper(a).pk, "score": 1.0, "reason": f"Pinned {a}", "because_of": None} for a in pinned]
    row.save()
    again = client.get("/for-you/")
    assert sorted(shown(again)) == sorted(pinned) and f"Pinned {pinned[0]}" in again.content.decode()
    assert "Updating your picks" not in again.content.decode()


def test_a_vote_queues_one_refresh_and_the_worker_applies_it(client, reader, two_topics):
    cv, cl = two_topics
    client.force_login(reader)
    client.get("/for-you/")
    before = PicksCache.objects.get(user=reader)
    voted = Paper.objects.get(pk=before.picks[0]["paper"])
    upvote(reader, voted)
    upvote(reader, paper(cv[0]["id"]))
    assert len(queued_refreshes()) == 1  # the second vote found the row already due
    row = PicksCache.objects.get(user=reader)
    assert row.is_due and row.picks == before.picks  # nothing was computed in the request
    assert "Updating your picks" in client.get("/for-you/").content.decode()

    run_queue_as_the_worker()
    row = PicksCache.objects.get(user=reader)
    assert not row.is_due and row.computed_version == row.wanted_version == 2
    assert voted.pk not in {p["paper"] for p in row.picks}  # now one of theirs: not a pick
    assert "Updating your picks" not in client.get("/for-you/").content.decode()


def test_saves_removals_and_unvotes_mark_the_cache_due(reader, two_topics):
    cv, cl = two_topics
    picks_cache.cached_picks(reader)
    shelf = collections.named(reader, "Parsing")
    for change in (lambda: collections.add(shelf, paper(cv[1]["id"])),
                   lambda: collections.remove(shelf, paper(cl[0]["id"])),
                   lambda: upvote(reader, paper(cv[2]["id"])),
                   lambda: unvote(reader, paper(cv[2]["id"])),
                   lambda: collections.delete(shelf)):
        version = PicksCache.objects.get(user=reader).wanted_version
        change()
        assert PicksCache.objects.get(user=reader).wanted_version > version  # one mark per row changed
    assert len(queued_refreshes()) == 1


def test_a_vote_during_a_refresh_is_not_lost(reader, two_topics):
    cv, _ = two_topics
    picks_cache.cached_picks(reader)
    upvote(reader, paper(cv[3]["id"]))
    started_from = PicksCache.objects.get(user=reader).wanted_version
    upvote(reader, paper(cv[4]["id"]))  # lands while the refresh of ``started_from`` computes
    picks_cache._store(reader, recent_window(), started_from)
    assert PicksCache.objects.get(user=reader).is_due
    report = picks_cache.refresh_due()
    assert report.refreshed == 1 and report.still_due == 0
    row = PicksCache.objects.get(user=reader)
    assert row.computed_version == row.wanted_version == started_from + 1
    assert not picks_cache._store(reader, recent_window(), started_from)  # an older result never wins


def test_hidden_papers_leave_the_cached_picks(reader):
    cached = picks_cache.cached_picks(reader)
    gone = cached.picks[0].paper
    Paper.objects.filter(pk=gone.pk).update(hidden=True)
    again = picks_cache.cached_picks(reader)
    assert gone.pk not in {p.paper.pk for p in again.picks} and len(again.picks) == len(cached.picks) - 1


def test_a_moved_window_marks_the_cache_due_and_shows_the_old_picks(reader):
    first = picks_cache.cached_picks(reader)
    start, end = first.window
    PicksCache.objects.filter(user=reader).update(window_start=start - timedelta(days=1),
                                                  window_end=end - timedelta(days=1))
    stale = picks_cache.cached_picks(reader)
    assert stale.updating and [p.paper.pk for p in stale.picks] == [p.paper.pk for p in first.picks]
    assert len(queued_refreshes()) == 1
    run_queue_as_the_worker()
    assert picks_cache.cached_picks(reader).window == (start, end)


def test_the_picks_refresh_job_sweeps_every_due_cache(reader, other, two_topics, transactional_db):
    cv, _ = two_topics
    for member in (reader, other):
        picks_cache.cached_picks(member)
        with transaction.atomic():
            upvote(member, paper(cv[5]["id"]))
    OrmQ.objects.all().delete()  # the queued tasks were lost (a worker killed mid-task, say)
    result = runner.run_scheduled("picks_refresh")
    assert "refreshed 2 members' picks, 0 failed, 0 still due" in result
    assert not PicksCache.objects.filter(user__in=[reader, other]).exclude(
        wanted_version=1, computed_version=1).exists()
