"""Collections: create, rename, make public, delete, save from any card (htmx and no-JS), privacy."""

from __future__ import annotations

import pytest

from paperfeed.accounts import collections
from paperfeed.accounts.models import Collection, CollectionItem
from tests.factories import listed, make_paper

pytestmark = pytest.mark.django_db


@pytest.fixture
def paper():
    return listed(1, title="Savable paper")[0]


def save(client, paper, htmx=False, **data):
    extra = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    return client.post(f"/papers/{paper.arxiv_id}/save/", data, **extra)


def test_create_from_profile_and_manage(member_client, member, paper):
    response = member_client.post("/accounts/collections/new/", {"name": "  Diffusion   models ", "public": "on"})
    shelf = Collection.objects.get(user=member)
    assert shelf.name == "Diffusion models" and shelf.slug == "diffusion-models" and shelf.public
    assert response["Location"] == "/u/alice/c/diffusion-models/"
    page = member_client.get(response["Location"]).content.decode()
    assert "Diffusion models" in page and "Make private" in page and 'href="/u/alice/c/diffusion-models.rss"' in page

    member_client.post(f"/accounts/collections/{shelf.pk}/", {"action": "rename", "name": "Score models"})
    shelf.refresh_from_db()
    assert shelf.name == "Score models" and shelf.slug == "score-models"
    member_client.post(f"/accounts/collections/{shelf.pk}/", {"action": "private"})
    shelf.refresh_from_db()
    assert not shelf.public

    confirm = member_client.get(f"/accounts/collections/{shelf.pk}/delete/")
    assert "Delete “Score models”?" in confirm.content.decode()
    gone = member_client.post(f"/accounts/collections/{shelf.pk}/delete/")
    assert gone["Location"] == "/u/alice/"
    assert not Collection.objects.exists()


def test_save_without_js(member_client, member, paper):
    page = member_client.get(f"/papers/{paper.arxiv_id}/save/")
    assert page.status_code == 200 and "New collection" in page.content.decode()
    response = save(member_client, paper, action="create", name="Reading", next="/date/2026-04-02/")
    assert response.status_code == 302 and response["Location"] == "/date/2026-04-02/"
    shelf = Collection.objects.get(user=member, name="Reading")
    assert list(shelf.papers.all()) == [paper]
    followed = member_client.get("/date/2026-04-02/").content.decode()
    assert "Saved to new collection “Reading”." in followed
    save(member_client, paper, action="remove", collection=shelf.pk)
    assert not shelf.papers.exists()
    save(member_client, paper, action="add", collection=shelf.pk)
    save(member_client, paper, action="add", collection=shelf.pk)  # twice is fine
    assert CollectionItem.objects.filter(collection=shelf).count() == 1


def test_save_with_htmx_returns_the_panel(member_client, member, paper):
    panel = member_client.get(f"/papers/{paper.arxiv_id}/save/", HTTP_HX_REQUEST="true").content.decode()
    assert panel.lstrip().startswith("<div class=\"save-panel\">") and "<html" not in panel
    response = save(member_client, paper, htmx=True, action="create", name="Later")
    html = response.content.decode()
    assert response.status_code == 200 and 'aria-label="Remove from Later"' in html
    shelf = Collection.objects.get(name="Later")
    html = save(member_client, paper, htmx=True, action="remove", collection=shelf.pk).content.decode()
    assert 'aria-label="Save to Later"' in html


@pytest.mark.parametrize(
    "data, message",
    [
        ({"action": "create", "name": "   "}, "Give the collection a name."),
        ({"action": "create", "name": "x" * 101}, "at most 100 characters"),
        ({"action": "create", "name": "bad\x01name"}, "control characters"),
        ({"action": "add", "collection": "abc"}, "Pick a collection."),
        ({"action": "explode"}, "Unknown action."),
    ],
)
def test_save_errors_are_explained(member_client, paper, data, message):
    response = save(member_client, paper, htmx=True, **data)
    assert response.status_code == 400 and message in response.content.decode()


def test_duplicate_names_are_refused(member_client, member, paper):
    collections.create(member, "Reading")
    response = save(member_client, paper, htmx=True, action="create", name="Reading")
    assert "You already have a collection named “Reading”." in response.content.decode()
    other = collections.create(member, "Other")
    member_client.post(f"/accounts/collections/{other.pk}/", {"action": "rename", "name": "Reading"})
    other.refresh_from_db()
    assert other.name == "Other"


def test_others_cannot_see_private_or_touch_any(client, member, other, paper):
    private = collections.create(member, "Secret")
    public = collections.create(member, "Open", public=True)
    collections.add(private, paper)
    assert client.get("/u/alice/c/secret/").status_code == 404
    assert client.get("/u/alice/c/open/").status_code == 200
    profile = client.get("/u/alice/").content.decode()
    assert "Open" in profile and "Secret" not in profile
    client.force_login(other)
    assert client.get("/u/alice/c/secret/").status_code == 404
    for url, data in [
        (f"/accounts/collections/{private.pk}/", {"action": "rename", "name": "Mine"}),
        (f"/accounts/collections/{public.pk}/delete/", {}),
    ]:
        assert client.post(url, data).status_code == 404
    assert save(client, paper, action="add", collection=private.pk).status_code == 404
    assert Collection.objects.filter(user=member).count() == 2 and private.papers.count() == 1


def test_remove_paper_from_collection_page(member_client, member, paper):
    shelf = collections.create(member, "Reading")
    collections.add(shelf, paper)
    html = member_client.get("/u/alice/c/reading/").content.decode()
    assert "Savable paper" in html and "Remove from collection" in html
    member_client.post(f"/accounts/collections/{shelf.pk}/", {"action": "remove_paper", "paper": paper.arxiv_id})
    assert not shelf.papers.exists()
    assert member_client.post(f"/accounts/collections/{shelf.pk}/", {"action": "remove_paper", "paper": "x"}).status_code == 404


def test_hidden_papers_drop_out_of_collections(member_client, member):
    shown, hidden = make_paper(title="Kept paper"), make_paper(title="Hidden paper", hidden=True)
    shelf = collections.create(member, "Reading", public=True)
    collections.add(shelf, shown)
    collections.add(shelf, hidden)
    html = member_client.get("/u/alice/c/reading/").content.decode()
    assert "Kept paper" in html and "Hidden paper" not in html


def test_save_needs_login(client, paper):
    response = client.post(f"/papers/{paper.arxiv_id}/save/", {"action": "create", "name": "x"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not Collection.objects.exists()


def test_collection_page_query_count(member_client, member, django_assert_max_num_queries):
    shelf = collections.create(member, "Big", public=True)
    for p in listed(30):
        collections.add(shelf, p)
    # +3 on the process's first comment counts: the comments token's first sight and every paper's
    # counts, read once per process and comment change (discussions/counts.py)
    with django_assert_max_num_queries(11):
        html = member_client.get("/u/alice/c/big/").content.decode()
    assert html.count('class="paper-card"') == 30
