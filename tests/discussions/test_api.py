"""GET/POST /api/papers/{id}/comments, and numComments in the API's items."""

from __future__ import annotations

import pytest

from paperfeed.discussions import service
from paperfeed.discussions.models import Comment

pytestmark = pytest.mark.django_db


def _url(paper) -> str:
    return f"/api/papers/{paper.arxiv_id}/comments"


def test_get_is_public_and_threaded(client, paper, ada, bob):
    first = service.post(ada, paper, "Is $n < 10$ enough?")
    reply = service.post(bob, paper, "<b>yes</b>", first.pk)
    service.post(bob, paper, "later")
    response = client.get(_url(paper))
    assert response.status_code == 200
    items = response.json()
    assert [(c["id"], c["parentId"], c["depth"]) for c in items] == [
        (first.pk, None, 0), (reply.pk, first.pk, 1), (reply.pk + 1, None, 0)]
    assert items[0]["author"] == {"name": "ada"} and items[0]["body"] == "Is $n < 10$ enough?"
    assert "&lt;b&gt;yes&lt;/b&gt;" in items[1]["html"] and "<b>" not in items[1]["html"]
    assert items[0]["createdAt"].endswith("Z") and items[0]["deleted"] is False


def test_deleted_parent_is_a_stub_in_the_api(client, paper, ada, bob):
    parent = service.post(ada, paper, "soon gone")
    service.post(bob, paper, "answer", parent.pk)
    service.delete(ada, parent.pk)
    stub = client.get(_url(paper)).json()[0]
    assert stub["deleted"] is True and stub["body"] is None and stub["author"] is None


def test_post_needs_a_token(client, paper):
    response = client.post(_url(paper), {"body": "hi"}, content_type="application/json")
    assert response.status_code == 401 and set(response.json()) == {"error", "detail"}
    assert not Comment.objects.exists()


def test_post_and_reply_with_a_token(client, paper, ada, bob, token_of):
    created = client.post(_url(paper), {"body": "From the API"}, content_type="application/json", **token_of(ada))
    assert created.status_code == 201, created.content
    parent_id = created.json()["id"]
    reply = client.post(_url(paper), {"body": "Reply", "parentId": parent_id}, content_type="application/json",
                        **token_of(bob))
    assert reply.status_code == 201 and reply.json()["parentId"] == parent_id and reply.json()["depth"] == 1
    assert Comment.objects.get(pk=reply.json()["id"]).author == bob


@pytest.mark.parametrize(("payload", "status", "error"), [
    ({"body": "   "}, 422, "Invalid body"),
    ({"body": "x", "parentId": 999999}, 404, "No such comment"),
    ({}, 422, "Invalid"),
])
def test_post_refusals_in_the_documented_shape(client, paper, ada, token_of, payload, status, error):
    response = client.post(_url(paper), payload, content_type="application/json", **token_of(ada))
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error", "detail"} and body["error"].startswith(error)


def test_post_rate_limit_is_a_429(client, paper, ada, token_of, settings):
    settings.COMMENT_RATE = "2/h"
    headers = token_of(ada)
    for n in range(2):
        assert client.post(_url(paper), {"body": f"n{n}"}, content_type="application/json", **headers).status_code == 201
    refused = client.post(_url(paper), {"body": "n2"}, content_type="application/json", **headers)
    assert refused.status_code == 429 and refused.json()["detail"]["limit"] == 2
    assert int(refused["Retry-After"]) > 0


def test_unknown_paper_is_404(client):
    assert client.get("/api/papers/2604.99999/comments").status_code == 404


def test_num_comments_is_local_plus_imported(client, paper, ada, bob, mod):
    service.post(ada, paper, "one")
    hidden = service.post(bob, paper, "two")
    service.set_hidden(mod, hidden.pk, True)
    day = paper.daily_entries.get().day.isoformat()
    items = client.get(f"/api/daily_papers?date={day}").json()
    assert [item["numComments"] for item in items] == [3 + 1]
    search = client.get("/api/papers", {"limit": 5}).json()
    assert search["items"][0]["id"] == paper.arxiv_id
