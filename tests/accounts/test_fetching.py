"""The worker's side of the fetch queue: claims, arXiv's refusals, and requests completed once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from paperfeed.accounts import collections, fetch_queue, fetching
from paperfeed.accounts.models import CollectionItem, FetchIntent, PaperFetch
from paperfeed.papers.models import DailyEntry
from tests.support.fake_arxiv import NEW_ID, RECORDED_ID
from tests.support.servers import LocalServer

pytestmark = pytest.mark.django_db


def test_a_fetch_another_worker_holds_is_left_alone(member, arxiv):
    fetch_queue.queue(member, NEW_ID, FetchIntent.Action.SUBMIT)
    PaperFetch.objects.update(claimed_until=timezone.now() + timedelta(minutes=5))
    assert str(fetching.run_due()).startswith("added 0, not found 0, failed 0, still pending 0")
    assert arxiv.requests == [] and PaperFetch.objects.get().state == "pending"
    PaperFetch.objects.update(claimed_until=timezone.now() - timedelta(seconds=1))  # that worker died
    assert fetching.run_due().added == 1


def test_one_paper_many_requests_one_call_each_completed_once(member, other, arxiv):
    shelf = collections.create(member, "Reading")
    fetch_queue.queue(member, NEW_ID, FetchIntent.Action.SUBMIT)
    fetch_queue.queue(member, NEW_ID, FetchIntent.Action.SAVE, shelf)
    fetch_queue.queue(other, NEW_ID, FetchIntent.Action.SUBMIT)
    fetch_queue.queue(other, RECORDED_ID, FetchIntent.Action.SUBMIT)
    report = fetching.run_due()
    assert (report.added, report.completed) == (2, 4)
    assert [r["id_list"] for r in arxiv.requests] == [f"{NEW_ID},{RECORDED_ID}"]
    assert CollectionItem.objects.filter(collection=shelf, paper__arxiv_id=NEW_ID).count() == 1
    assert DailyEntry.objects.count() == 2
    assert fetching.run_due().completed == 0  # nothing is done twice


def test_an_id_arxiv_refuses_fails_alone(member, fixtures, settings):
    refusal = (fixtures / "arxiv-formats" / "api_query_error_id_list_abc_http400_2026.xml").read_bytes()
    answers = {"2611.00111,2611.00222": (400, {}, refusal), "2611.00111": (400, {}, refusal)}
    empty = (fixtures / "arxiv-formats" / "api_query_id_list_0000.0000_empty_2026.xml").read_bytes()
    with LocalServer(lambda path, params: answers.get(params["id_list"], (200, {}, empty))) as server:
        settings.ARXIV_API_URL, settings.ARXIV_API_DELAY = f"{server.url}/api/query", 0
        for arxiv_id in ("2611.00111", "2611.00222"):
            fetch_queue.queue(member, arxiv_id, FetchIntent.Action.SUBMIT)
        report = fetching.run_due()
    assert (report.failed, report.not_found) == (1, 1)
    failed = PaperFetch.objects.get(arxiv_id="2611.00111")
    assert failed.state == "failed" and "arXiv refused it" in failed.last_error
    assert [r["id_list"] for r in server.requests] == ["2611.00111,2611.00222", "2611.00111", "2611.00222"]
    assert set(FetchIntent.objects.values_list("outcome", flat=True)) == {"failed", "not_found"}
