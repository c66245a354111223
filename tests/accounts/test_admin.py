"""Moderation through the admin (papers/admin.py): hide papers and entries, merge duplicates,
edit metadata, and what each does to the public pages."""

from __future__ import annotations

import pytest

from paperfeed.accounts import collections, votes
from paperfeed.papers.models import DailyEntry, Paper
from tests.factories import list_paper, make_paper

pytestmark = pytest.mark.django_db


def action(admin_client, model: str, name: str, *pks: int):
    return admin_client.post(
        f"/admin/papers/{model}/", {"action": name, "_selected_action": [str(pk) for pk in pks]}, follow=True
    )


def test_hide_and_unhide_paper(admin_client, client):
    paper = make_paper("2604.04000", title="Spam paper")
    list_paper(paper)
    assert "Spam paper" in client.get("/").content.decode()
    assert action(admin_client, "paper", "hide", paper.pk).status_code == 200
    assert Paper.objects.get(pk=paper.pk).hidden
    assert "Spam paper" not in client.get("/date/2026-04-02/").content.decode()
    assert client.get("/papers/2604.04000/").status_code == 404
    action(admin_client, "paper", "unhide", paper.pk)
    assert client.get("/papers/2604.04000/").status_code == 200


def test_hide_entry_keeps_the_paper_page(admin_client, client):
    paper = make_paper("2604.04001", title="Off-topic paper")
    entry = list_paper(paper)
    action(admin_client, "dailyentry", "hide", entry.pk)
    assert "Off-topic paper" not in client.get("/date/2026-04-02/").content.decode()
    assert client.get("/papers/2604.04001/").status_code == 200


def test_merge_duplicates_keeps_votes_entries_and_collections(admin_client, client, member, other):
    original = make_paper("2604.04002", title="The real paper", imported_upvotes=3)
    duplicate = make_paper("2604.40020", title="The real paper (typo id)", imported_upvotes=5)
    list_paper(duplicate, source=DailyEntry.Source.MEMBER, submitted_by=member)
    votes.upvote(member, original)
    votes.upvote(member, duplicate)
    votes.upvote(other, duplicate)
    shelf = collections.create(member, "Reading")
    collections.add(shelf, duplicate)
    response = action(admin_client, "paper", "merge_into_first", original.pk, duplicate.pk)
    assert "Merged 1 paper(s) into 2604.04002." in response.content.decode()
    assert not Paper.objects.filter(pk=duplicate.pk).exists()
    original.refresh_from_db()
    assert original.local_upvotes == 2 and original.imported_upvotes == 5
    assert list(shelf.papers.all()) == [original]
    html = client.get("/date/2026-04-02/").content.decode()
    assert "The real paper" in html and '<span class="count">7</span>' in html
    assert client.get("/papers/2604.40020/").status_code == 404


def test_merge_needs_two(admin_client):
    paper = make_paper()
    response = action(admin_client, "paper", "merge_into_first", paper.pk)
    assert "Select at least two papers to merge." in response.content.decode()


def test_edit_metadata(admin_client, client):
    paper = make_paper("2604.04003", title="Old title", categories="cs.LG")
    page = admin_client.get(f"/admin/papers/paper/{paper.pk}/change/")
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update(
        title="Corrected $\\beta$ title",
        authors='["A Person"]',
        versions="[]",
        ai_keywords="[]",
        categories=" cs.CL ",
        published_0="2026-04-01", published_1="12:00:00",
        updated_0="2026-04-01", updated_1="12:00:00",
        announced="2026-04-02",
        code_url="https://github.com/example/fixed",
        **{
            "daily_entries-TOTAL_FORMS": "0", "daily_entries-INITIAL_FORMS": "0",
            "daily_entries-MIN_NUM_FORMS": "0", "daily_entries-MAX_NUM_FORMS": "1000",
        },
    )
    for key in ("hidden", "withdrawn"):
        data.pop(key, None)
    response = admin_client.post(f"/admin/papers/paper/{paper.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else response
    html = client.get("/papers/2604.04003/").content.decode()
    assert "Corrected $\\beta$ title" in html and "A Person" in html
    assert 'href="https://github.com/example/fixed"' in html and "cs.CL" in html
