"""Submit: a member lists an arXiv paper on today's page; duplicates, limits and bad ids refused; a paper
new to the hub is queued and listed by the worker."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from paperfeed.accounts.models import FetchIntent, PaperFetch
from paperfeed.papers.models import DailyEntry, Paper
from tests.factories import list_paper, make_paper
from tests.support.fake_arxiv import NEW_ID, NEW_TITLE
from tests.support.servers import LocalServer

pytestmark = pytest.mark.django_db


def submit(client, raw):
    return client.post("/submit/", {"arxiv_id": raw})


def test_form_needs_login(client):
    response = client.get("/submit/")
    assert response.status_code == 302 and response["Location"] == "/accounts/login/?next=/submit/"


def test_submit_known_paper(member_client, member):
    paper = make_paper("2611.00001", title="Known but unlisted")
    page = member_client.get("/submit/").content.decode()
    assert "used today: 0" in page and 'for="id_arxiv_id"' in page
    response = submit(member_client, "https://arxiv.org/abs/2611.00001v3")
    assert response.status_code == 302 and response["Location"] == "/papers/2611.00001/"
    entry = DailyEntry.objects.get(paper=paper)
    assert entry.day == timezone.localdate() and entry.source == "member" and entry.submitted_by == member
    # the submitter's own upvote comes with the submission, and the paper is on today's list
    paper.refresh_from_db()
    assert paper.local_upvotes == 1
    today = member_client.get(f"/date/{timezone.localdate().isoformat()}/").content.decode()
    assert "Known but unlisted" in today and 'submitted by <a href="/u/alice/">alice</a>' in today


@pytest.mark.parametrize(
    "raw, message",
    [
        ("", "This field is required."),
        ("not an id", "That is not an arXiv id or URL."),
        ("<script>alert(1)</script>", "That is not an arXiv id or URL."),
        ("https://evil.example/abs/2611.00001", "That is not an arXiv id or URL."),
        ("x" * 400, "Ensure this value has at most 300 characters"),
    ],
)
def test_bad_ids_are_explained(member_client, raw, message):
    response = submit(member_client, raw)
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html and "<script>alert(1)</script>" not in html
    assert not DailyEntry.objects.exists()


def test_duplicates_are_refused(member_client):
    paper = make_paper("2611.00002")
    list_paper(paper, timezone.localdate() - timezone.timedelta(days=3))
    response = submit(member_client, "2611.00002")
    assert response.status_code == 409
    html = response.content.decode()
    assert "2611.00002 is already listed" in html and "upvote it instead" in html
    assert DailyEntry.objects.count() == 1


def test_daily_limit(member_client, settings):
    settings.SUBMISSIONS_PER_DAY = 2
    for i in range(3):
        make_paper(f"2611.0001{i}")
    assert submit(member_client, "2611.00010").status_code == 302
    assert submit(member_client, "2611.00011").status_code == 302
    response = submit(member_client, "2611.00012")
    assert response.status_code == 429
    assert "You already submitted 2 papers today" in response.content.decode()
    assert DailyEntry.objects.count() == 2


def test_submissions_are_rate_limited(member_client, settings):
    settings.SUBMIT_RATE = "2/h"
    settings.SUBMISSIONS_PER_DAY = 10
    for i in range(3):
        make_paper(f"2611.0002{i}")
    codes = [submit(member_client, f"2611.0002{i}").status_code for i in range(3)]
    assert codes == [302, 302, 429]


def test_hidden_paper_cannot_be_submitted(member_client):
    make_paper("2611.00030", hidden=True)
    response = submit(member_client, "2611.00030")
    assert response.status_code == 400 and "hidden by a moderator" in response.content.decode()


# ---- papers new to the hub: queued, then fetched by the worker's job ----------------------------


def run_worker_job() -> str:
    from paperfeed.jobs import jobs

    return jobs.fetch_papers()


def test_unknown_paper_is_queued_then_listed_by_the_worker(member_client, member, arxiv):
    response = submit(member_client, f"arXiv:{NEW_ID}v1")
    assert response.status_code == 302 and response["Location"] == "/submit/"
    assert arxiv.requests == []  # the request itself never asks arXiv
    page = member_client.get("/submit/").content.decode()
    assert f"{NEW_ID} is new here: it is being fetched from arXiv" in page
    assert "Pending: being fetched from arXiv" in page and "used today: 1" in page
    assert not Paper.objects.filter(arxiv_id=NEW_ID).exists()

    assert "added 1" in run_worker_job()
    paper = Paper.objects.get(arxiv_id=NEW_ID)
    assert paper.title == NEW_TITLE and paper.primary_category == "cs.IT" and paper.local_upvotes == 1
    entry = DailyEntry.objects.get(paper=paper)
    assert entry.submitted_by == member and entry.day == timezone.localdate()
    assert [r["id_list"] for r in arxiv.requests] == [NEW_ID]
    page = member_client.get("/submit/").content.decode()
    assert "Added: listed on today&#x27;s papers" in page and f'href="/papers/{NEW_ID}/"' in page
    assert "used today: 1" in page
    assert "added 0" in run_worker_job() and DailyEntry.objects.count() == 1  # done once, never again


def test_paper_unknown_to_arxiv_is_shown_not_found(member_client, arxiv):
    assert submit(member_client, "2611.99999").status_code == 302
    assert "not found 1" in run_worker_job()
    assert not Paper.objects.filter(arxiv_id="2611.99999").exists()
    page = member_client.get("/submit/").content.decode()
    assert "Not found on arXiv" in page and "used today: 0" in page


def test_asking_twice_while_pending_is_one_request(member_client, member):
    for _ in range(2):
        assert submit(member_client, "2611.77777").status_code == 302
    assert FetchIntent.objects.filter(user=member).count() == 1
    assert PaperFetch.objects.get(arxiv_id="2611.77777").state == "pending"


def test_pending_submissions_count_towards_the_daily_limit(member_client, settings):
    settings.SUBMISSIONS_PER_DAY = 2
    make_paper("2611.00040")
    assert submit(member_client, "2611.77771").status_code == 302
    assert submit(member_client, "2611.77772").status_code == 302
    response = submit(member_client, "2611.00040")
    assert response.status_code == 429 and "You already submitted 2 papers today" in response.content.decode()
    assert not DailyEntry.objects.exists()


def test_two_members_submit_the_same_new_paper(member_client, member, other, arxiv):
    bob = Client()
    bob.force_login(other)
    assert submit(member_client, NEW_ID).status_code == 302
    assert submit(bob, NEW_ID).status_code == 302
    assert PaperFetch.objects.count() == 1
    run_worker_job()
    entry = DailyEntry.objects.get(paper__arxiv_id=NEW_ID)
    outcomes = dict(FetchIntent.objects.values_list("user__username", "outcome"))
    first = entry.submitted_by.username
    second = ({"alice", "bob"} - {first}).pop()
    assert outcomes == {first: "listed", second: "already_listed"}
    assert Paper.objects.get(arxiv_id=NEW_ID).local_upvotes == 2  # the second submission is an upvote


def test_arxiv_down_keeps_it_pending_until_arxiv_answers(member_client, member, settings, fixtures):
    from paperfeed.accounts.fetching import FetchesWaiting
    from tests.support.fake_arxiv import FakeArxiv

    assert submit(member_client, NEW_ID).status_code == 302
    # arXiv answers 503 to every try (Retry-After: 0 keeps the worker's polite retries instant).
    with LocalServer(lambda path, params: (503, {"Retry-After": "0"}, b"Service Unavailable")) as down:
        settings.ARXIV_API_URL = f"{down.url}/api/query"
        settings.ARXIV_API_DELAY = 0
        with pytest.raises(FetchesWaiting, match="1 queued papers still pending"):
            run_worker_job()  # the job fails, so JobRun retries it later
    fetch = PaperFetch.objects.get(arxiv_id=NEW_ID)
    assert fetch.state == "pending" and fetch.attempts == 1 and "HTTP 503" in fetch.last_error
    assert "Pending: being fetched from arXiv" in member_client.get("/submit/").content.decode()
    with LocalServer(FakeArxiv(fixtures / "arxiv-formats")) as up:
        settings.ARXIV_API_URL = f"{up.url}/api/query"
        assert "added 1" in run_worker_job()
    assert DailyEntry.objects.get(paper__arxiv_id=NEW_ID).submitted_by == member


def test_a_fetch_that_waited_too_long_fails(member_client, member, settings):
    assert submit(member_client, "2611.66666").status_code == 302
    PaperFetch.objects.update(requested_at=timezone.now() - timezone.timedelta(days=2))
    with LocalServer(lambda path, params: (503, {"Retry-After": "0"}, b"Service Unavailable")) as down:
        settings.ARXIV_API_URL = f"{down.url}/api/query"
        settings.ARXIV_API_DELAY = 0
        assert "failed 1" in run_worker_job()
    assert PaperFetch.objects.get().state == "failed"
    page = member_client.get("/submit/").content.decode()
    assert "Failed: arXiv was unreachable or refused the id" in page and "used today: 0" in page
    # asking again queues it again
    assert submit(member_client, "2611.66666").status_code == 302
    assert PaperFetch.objects.get().state == "pending"


def test_a_new_paper_wakes_the_worker_once(member_client, django_capture_on_commit_callbacks):
    from django_q.models import OrmQ

    with django_capture_on_commit_callbacks(execute=True):
        submit(member_client, "2611.55555")
        submit(member_client, "2611.55555")  # already pending: nothing new for the worker
    tasks = [queued.task for queued in OrmQ.objects.all()]
    assert [(t["func"], tuple(t["args"])) for t in tasks] == [("paperfeed.jobs.runner.run_scheduled", ("fetch_papers",))]
    assert tasks[0]["kwargs"]["slot"].startswith("manual:")
