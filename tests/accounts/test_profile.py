"""Profile: upvoted and saved papers, collections, submissions, API tokens shown once."""

from __future__ import annotations

import re

import pytest

from paperfeed.accounts import collections, votes
from paperfeed.accounts.models import ApiToken
from paperfeed.papers.models import DailyEntry
from tests.factories import list_paper, listed, make_paper

pytestmark = pytest.mark.django_db


def test_profile_lists_upvoted_saved_and_submitted(client, member, other):
    up, saved = make_paper(title="Upvoted paper"), make_paper(title="Saved paper")
    submitted = make_paper(title="Submitted paper")
    list_paper(submitted, source=DailyEntry.Source.MEMBER, submitted_by=member)
    votes.upvote(member, up)
    shelf = collections.create(member, "Private shelf")
    collections.add(shelf, saved)
    client.force_login(member)
    html = client.get("/u/alice/").content.decode()
    for needle in ("Upvoted paper", "Saved paper", "Submitted paper", "Private shelf", "Create API token"):
        assert needle in html, needle
    client.force_login(other)
    html = client.get("/u/alice/").content.decode()
    assert "Upvoted paper" in html and "Submitted paper" in html
    assert "Saved paper" not in html and "Private shelf" not in html and "Create API token" not in html


def test_unknown_profile_is_404(client):
    assert client.get("/u/nobody/").status_code == 404
    assert client.get("/u/%3Cscript%3E/").status_code == 404


def test_api_token_is_shown_once(member_client, member):
    response = member_client.post("/accounts/token/", {"name": "laptop"})
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    secret = re.search(r'value="(pf_[^"]+)"', response.content.decode()).group(1)
    token = ApiToken.objects.get(user=member)
    assert token.name == "laptop" and token.digest == ApiToken.hash(secret)
    profile = member_client.get("/u/alice/").content.decode()
    assert secret not in profile and f"{token.prefix}…" in profile
    # the secret works against the JSON API
    assert member_client.get("/api/collections", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 200
    member_client.post(f"/accounts/token/{token.pk}/revoke/")
    token.refresh_from_db()
    assert token.revoked


def test_token_needs_post_and_login(client, member, other):
    assert client.post("/accounts/token/").status_code == 302
    client.force_login(member)
    assert client.get("/accounts/token/").status_code == 405
    theirs, _ = ApiToken.issue(other)
    assert client.post(f"/accounts/token/{theirs.pk}/revoke/").status_code == 404
    assert not ApiToken.objects.filter(user=member).exists()


def test_profile_query_count(member_client, member, django_assert_max_num_queries):
    papers = listed(30)
    shelf = collections.create(member, "Shelf")
    for p in papers:
        votes.upvote(member, p)
        collections.add(shelf, p)
    # 12: two card lists (upvoted, the shelf), each with one query for its comment counts (the comments
    # token); none per card. +3 on the process's first counts: the token's first sight (created, read
    # again) and every paper's counts, read once per process and comment change (discussions/counts.py)
    with django_assert_max_num_queries(15):
        html = member_client.get("/u/alice/").content.decode()
    assert html.count('class="paper-card"') == 60
