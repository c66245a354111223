"""Writes with a personal API token: auth, upvotes, submissions, collections, limits, bad bodies, and
papers new to the hub (202, fetched by the worker)."""

from __future__ import annotations

import json
from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from paperfeed.accounts.models import ApiToken, Collection, Upvote
from paperfeed.papers.models import DailyEntry, Paper

pytestmark = pytest.mark.django_db


def post(client, url, body, auth=None, **extra):
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.post(url, data=data, content_type="application/json", **(auth or {}), **extra)


# ---- authentication -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "status", "error"),
    [
        (None, 401, "Authentication required"),
        ("Basic YWRhOnB3", 401, "Authentication required"),
        ("Bearer", 401, "Invalid API token"),
        ("Bearer not-ours", 401, "Invalid API token"),
        ("Bearer pf_" + "A" * 43, 401, "Invalid or revoked API token"),
        ("Bearer pf_" + "A" * 500, 401, "Invalid API token"),
    ],
)
def test_missing_or_bad_tokens_are_401(client, make_paper, header, status, error):
    make_paper("2603.80001")
    extra = {"HTTP_AUTHORIZATION": header} if header else {}
    response = client.post("/api/papers/2603.80001/upvote", **extra)
    assert response.status_code == status
    assert response.json()["error"] == error
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert not Upvote.objects.exists()


def test_revoked_token_and_disabled_account(client, make_paper, member, token, auth):
    make_paper("2603.80002")
    ApiToken.objects.filter(user=member).update(revoked=True)
    assert client.post("/api/papers/2603.80002/upvote", **auth).status_code == 401
    ApiToken.objects.filter(user=member).update(revoked=False)
    member.is_active = False
    member.save()
    response = client.post("/api/papers/2603.80002/upvote", **auth)
    assert response.status_code == 403 and response.json()["error"] == "This account is disabled"


def test_token_use_is_recorded(client, make_paper, member, auth):
    make_paper("2603.80003")
    assert client.post("/api/papers/2603.80003/upvote", **auth).status_code == 200
    assert ApiToken.objects.get(user=member).last_used_at is not None


def test_session_login_is_not_a_token(client, make_paper, member):
    """A browser session must not be enough: API writes carry no CSRF token."""
    make_paper("2603.80004")
    client.force_login(member)
    assert client.post("/api/papers/2603.80004/upvote").status_code == 401


# ---- upvotes --------------------------------------------------------------------------


def test_upvote_and_unvote(client, make_paper, member, auth):
    make_paper("2603.80010", imported_upvotes=10)
    first = client.post("/api/papers/2603.80010/upvote", **auth).json()
    assert first == {"id": "2603.80010", "upvotes": 11, "upvoted": True, "changed": True}
    again = client.post("/api/papers/arXiv:2603.80010v2/upvote", **auth).json()
    assert again == {"id": "2603.80010", "upvotes": 11, "upvoted": True, "changed": False}
    assert client.get("/api/papers/2603.80010").json()["upvotes"] == 11
    gone = client.delete("/api/papers/2603.80010/upvote", **auth).json()
    assert gone == {"id": "2603.80010", "upvotes": 10, "upvoted": False, "changed": True}
    assert client.delete("/api/papers/2603.80010/upvote", **auth).json()["changed"] is False
    assert not Upvote.objects.exists()


def test_upvote_errors(client, make_paper, auth):
    hidden = make_paper("2603.80011")
    Paper.objects.filter(pk=hidden.pk).update(hidden=True)
    assert client.post("/api/papers/2603.99999/upvote", **auth).status_code == 404
    assert client.post("/api/papers/nonsense/upvote", **auth).status_code == 400
    assert client.post("/api/papers/2603.80011/upvote", **auth).status_code == 403
    assert client.get("/api/papers/2603.80011/upvote", **auth).status_code == 405


# ---- submissions ----------------------------------------------------------------------


def test_submit_known_paper_lists_it_today(client, make_paper, member, auth):
    make_paper("2603.80020", title="Submitted here")
    response = post(client, "/api/daily_papers/submit", {"id": "https://arxiv.org/abs/2603.80020v1"}, auth)
    assert response.status_code == 201, response.content
    item = response.json()
    assert item["paper"]["id"] == "2603.80020"
    assert item["submittedBy"]["name"] == "ada"
    entry = DailyEntry.objects.get(paper__arxiv_id="2603.80020")
    assert entry.day == timezone.localdate() and entry.submitted_by == member and entry.source == "member"
    assert [i["paper"]["id"] for i in client.get("/api/daily_papers").json()] == ["2603.80020"]


def test_submitting_a_listed_paper_is_a_conflict(client, make_paper, list_paper, auth):
    paper = make_paper("2603.80021")
    list_paper(paper, date(2026, 3, 2), submitter_name="akhaliq")
    response = post(client, "/api/daily_papers/submit", {"id": "2603.80021"}, auth)
    assert response.status_code == 409
    assert response.json() == {"error": "2603.80021 is already listed", "detail": {"day": "2026-03-02"}}
    make_paper("2603.80022")
    assert post(client, "/api/daily_papers/submit", {"id": "2603.80022"}, auth).status_code == 201
    assert post(client, "/api/daily_papers/submit", {"id": "2603.80022"}, auth).status_code == 409


def test_daily_submission_limit(client, make_paper, auth, settings):
    settings.SUBMISSIONS_PER_DAY = 2
    for n in range(3):
        make_paper(f"2603.8003{n}")
    assert post(client, "/api/daily_papers/submit", {"id": "2603.80030"}, auth).status_code == 201
    assert post(client, "/api/daily_papers/submit", {"id": "2603.80031"}, auth).status_code == 201
    third = post(client, "/api/daily_papers/submit", {"id": "2603.80032"}, auth)
    assert third.status_code == 429
    assert third.json()["detail"]["limit"] == 2
    assert DailyEntry.objects.count() == 2


@pytest.mark.parametrize(
    ("body", "status", "needle"),
    [
        ("{not json", 400, "Malformed JSON"),
        ("", 422, "id"),
        ("[]", 422, ""),
        ('"2603.80050"', 422, ""),
        ("{}", 422, "id"),
        ('{"id": 2603.8005}', 422, "id"),
        ('{"id": null}', 422, "id"),
        ('{"id": ""}', 422, "id"),
        ('{"id": "x"}', 400, "Not an arXiv identifier"),
        ('{"id": "' + "9" * 400 + '"}', 422, "id"),
        (b"\xff\xfe\x00garbage", 400, "Malformed JSON"),
        ('{"id": "2603.80050\\u0000"}', 422, "control characters"),
    ],
)
def test_bad_bodies_get_clear_errors(client, auth, body, status, needle):
    response = post(client, "/api/daily_papers/submit", body, auth)
    assert response.status_code == status, response.content
    payload = response.json()
    assert set(payload) == {"error", "detail"}
    assert needle in payload["error"] + json.dumps(payload["detail"])


def test_huge_body_is_413_unread(client, auth):
    response = post(client, "/api/daily_papers/submit", json.dumps({"id": "2603.80060", "pad": "x" * 100_000}), auth)
    assert response.status_code == 413
    assert response.json()["detail"]["limit_bytes"] == 16384


# ---- collections ----------------------------------------------------------------------


def test_collections_lifecycle(client, make_paper, member, auth):
    make_paper("2603.80070", title="Worth reading")
    assert client.get("/api/collections", **auth).json() == []
    created = post(client, "/api/collections", {"name": "To read"}, auth)
    assert created.status_code == 201
    assert created.json()["slug"] == "to-read" and created.json()["size"] == 0
    assert post(client, "/api/collections", {"name": "To read"}, auth).status_code == 409
    added = post(client, "/api/collections/to-read/papers", {"id": "arXiv:2603.80070"}, auth)
    assert added.status_code == 201 and added.json() == {"collection": "to-read", "id": "2603.80070", "added": True}
    assert post(client, "/api/collections/To read/papers", {"id": "2603.80070"}, auth).status_code == 409
    detail = client.get("/api/collections/to-read", **auth).json()
    assert detail["size"] == 1 and [p["id"] for p in detail["papers"]] == ["2603.80070"]
    assert client.get("/api/collections", **auth).json()[0]["size"] == 1
    removed = client.delete("/api/collections/to-read/papers/2603.80070", **auth)
    assert removed.status_code == 200 and removed.json()["added"] is False
    assert client.delete("/api/collections/to-read/papers/2603.80070", **auth).status_code == 404


def test_collection_errors_and_privacy(client, make_paper, django_user_model, auth):
    other = django_user_model.objects.create_user("bob", "bob@example.org", "pw-long-enough-1")
    Collection.objects.create(user=other, name="secret", slug="secret")
    make_paper("2603.80080")
    assert client.get("/api/collections/secret", **auth).status_code == 404
    assert post(client, "/api/collections/secret/papers", {"id": "2603.80080"}, auth).status_code == 404
    assert post(client, "/api/collections", {"name": "   "}, auth).status_code == 422
    assert post(client, "/api/collections", {"name": "x" * 101}, auth).status_code == 422
    assert post(client, "/api/collections", {"name": "ok", "public": "maybe"}, auth).status_code == 422
    assert client.get("/api/collections").status_code == 401
    assert client.get("/api/collections/%00", **auth).status_code == 404
    assert post(client, "/api/collections", {"name": "a\u0000b"}, auth).status_code == 422
    unicode_name = post(client, "/api/collections", {"name": "読む"}, auth).json()
    assert unicode_name["slug"].startswith("c-")
    assert client.get(f"/api/collections/{unicode_name['slug']}", **auth).status_code == 200


# ---- rate limits ----------------------------------------------------------------------


def test_writes_are_rate_limited_per_token(client, make_paper, member, auth, settings, django_user_model):
    settings.API_WRITE_RATE = "3/h"  # an hour: a fixed window must not end mid-test
    make_paper("2603.80090")
    codes = [client.post("/api/papers/2603.80090/upvote", **auth).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    limited = client.delete("/api/papers/2603.80090/upvote", **auth)
    assert limited.status_code == 429
    assert int(limited["Retry-After"]) >= 1
    assert limited.json()["detail"]["rate"] == "3/h"
    # Reads are not limited, and another member's token has its own budget.
    assert client.get("/api/papers/2603.80090").status_code == 200
    bob = django_user_model.objects.create_user("bob", "bob@example.org", "pw-long-enough-1")
    _, secret = ApiToken.issue(bob)
    assert client.post("/api/papers/2603.80090/upvote", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 200


def test_rate_limit_can_be_switched_off(client, make_paper, auth, settings):
    settings.API_WRITE_RATE = "1/h"
    settings.RATELIMIT_ENABLE = False
    make_paper("2603.80091")
    assert {client.post("/api/papers/2603.80091/upvote", **auth).status_code for _ in range(3)} == {200}


# ---- token command --------------------------------------------------------------------


def test_create_api_token_command(client, make_paper, member):
    out, err = StringIO(), StringIO()
    call_command("create_api_token", "ada", "--name", "laptop", stdout=out, stderr=err)
    secret = out.getvalue().strip()
    assert secret.startswith("pf_") and "shown only now" in err.getvalue()
    token = ApiToken.objects.get(user=member)
    assert token.name == "laptop" and token.digest == ApiToken.hash(secret) and secret not in token.digest
    make_paper("2603.80100")
    assert client.post("/api/papers/2603.80100/upvote", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 200
    with pytest.raises(CommandError, match="No member named 'nobody'"):
        call_command("create_api_token", "nobody")


# ---- papers new to the hub: 202 at once, fetched by the worker, followed at /api/fetches ------


def run_worker_job() -> str:
    from paperfeed.jobs import jobs

    return jobs.fetch_papers()


def test_submit_of_a_new_paper_is_202_then_listed_by_the_worker(client, member, auth, arxiv):
    from tests.support.fake_arxiv import NEW_ID, NEW_TITLE

    response = post(client, "/api/daily_papers/submit", {"id": f"arXiv:{NEW_ID}v1"}, auth)
    assert response.status_code == 202, response.content
    assert response.json() == {"id": NEW_ID, "state": "pending", "action": "submit", "collection": None,
                               "status_url": f"/api/fetches/{NEW_ID}"}
    assert arxiv.requests == []
    status = client.get(f"/api/fetches/{NEW_ID}", **auth).json()
    assert status["state"] == "pending" and status["finished_at"] is None
    assert status["requests"][0] | {"requested_at": None} == {
        "action": "submit", "collection": None, "requested_at": None, "done": False, "outcome": None}
    # again while pending: the same request, not a second one
    assert post(client, "/api/daily_papers/submit", {"id": NEW_ID}, auth).status_code == 202
    assert len(client.get(f"/api/fetches/{NEW_ID}", **auth).json()["requests"]) == 1

    run_worker_job()
    status = client.get(f"/api/fetches/{NEW_ID}", **auth).json()
    assert status["state"] == "added" and status["finished_at"] and status["error"] is None
    assert [(r["done"], r["outcome"]) for r in status["requests"]] == [(True, "listed")]
    items = client.get("/api/daily_papers").json()
    assert [(i["paper"]["id"], i["title"], i["submittedBy"]["name"]) for i in items] == [(NEW_ID, NEW_TITLE, "ada")]
    assert post(client, "/api/daily_papers/submit", {"id": NEW_ID}, auth).status_code == 409


def test_submit_of_a_paper_arxiv_lacks_ends_not_found(client, auth, arxiv):
    assert post(client, "/api/daily_papers/submit", {"id": "2603.88888"}, auth).status_code == 202
    run_worker_job()
    status = client.get("/api/fetches/2603.88888", **auth).json()
    assert status["state"] == "not_found" and status["requests"][0]["outcome"] == "not_found"
    assert not Paper.objects.filter(arxiv_id="2603.88888").exists()


def test_fetch_status_is_personal(client, auth, django_user_model):
    assert post(client, "/api/daily_papers/submit", {"id": "2603.88887"}, auth).status_code == 202
    bob = django_user_model.objects.create_user("bob", "bob@example.org", "pw-long-enough-1")
    _, secret = ApiToken.issue(bob)
    mine_only = client.get("/api/fetches/2603.88887", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert mine_only.status_code == 404 and set(mine_only.json()) == {"error", "detail"}
    assert client.get("/api/fetches/2603.88887").status_code == 401
    assert client.get("/api/fetches/nonsense", **auth).status_code == 400


def test_saving_a_new_paper_is_202_then_saved_by_the_worker(client, auth, arxiv):
    from tests.support.fake_arxiv import NEW_ID

    post(client, "/api/collections", {"name": "To read"}, auth)
    response = post(client, "/api/collections/to-read/papers", {"id": NEW_ID}, auth)
    assert response.status_code == 202, response.content
    assert response.json() | {"status_url": ""} == {"id": NEW_ID, "state": "pending", "action": "save",
                                                    "collection": "to-read", "status_url": ""}
    assert client.get("/api/collections/to-read", **auth).json()["size"] == 0
    run_worker_job()
    assert [p["id"] for p in client.get("/api/collections/to-read", **auth).json()["papers"]] == [NEW_ID]
    status = client.get(f"/api/fetches/{NEW_ID}", **auth).json()
    assert status["state"] == "added" and status["requests"][0]["outcome"] == "saved"
    assert not DailyEntry.objects.exists()  # saving is not submitting
