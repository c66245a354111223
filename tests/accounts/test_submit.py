"""Submit: a member lists an arXiv paper on today's page; duplicates, limits and bad ids refused."""

from __future__ import annotations

import pytest
from django.utils import timezone

from paperfeed.papers.models import DailyEntry, Paper
from tests.factories import list_paper, make_paper
from tests.support.fake_arxiv import NEW_ID, NEW_TITLE, RECORDED_ID
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


# ---- papers new to the hub: fetched through the ingest app's arXiv client --------------------


def test_unknown_paper_is_fetched_from_arxiv(member_client, member, arxiv):
    response = submit(member_client, f"arXiv:{NEW_ID}v1")
    assert response.status_code == 302, response.content.decode()[:2000]
    paper = Paper.objects.get(arxiv_id=NEW_ID)
    assert paper.title == NEW_TITLE and paper.primary_category == "cs.IT"
    assert DailyEntry.objects.get(paper=paper).submitted_by == member
    assert any(NEW_ID in r.get("id_list", "") for r in arxiv.requests)
    assert NEW_TITLE in member_client.get(response["Location"]).content.decode()
    assert submit(member_client, RECORDED_ID).status_code == 302


def test_paper_unknown_to_arxiv(member_client, arxiv):
    response = submit(member_client, "2611.99999")
    assert response.status_code == 404 and "No paper 2611.99999" in response.content.decode()
    assert not Paper.objects.filter(arxiv_id="2611.99999").exists()


def test_arxiv_down_is_explained(member_client, settings):
    # arXiv answers 503 to every try, as when overloaded; Retry-After: 0 keeps the retries instant
    # (a closed port would cost the client's full back-off, 75 s).
    with LocalServer(lambda path, params: (503, {"Retry-After": "0"}, b"Service Unavailable")) as server:
        settings.ARXIV_API_URL = f"{server.url}/api/query"
        settings.ARXIV_API_DELAY = 0
        response = submit(member_client, "2611.88888")
    assert response.status_code == 502 and "arXiv did not answer" in response.content.decode()
