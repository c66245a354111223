"""GET /api/papers/search over the real search service.

These run the real service on a real index built from the test database, so they assert
what any sane ranking must give (a unique title word finds its paper, filters hold, an
arXiv id goes straight to its paper), not exact orders.
"""

from __future__ import annotations

from datetime import date

import pytest

from paperfeed.search.query import MAX_QUERY_CHARS
from paperfeed.search.sync import sync_indexes

pytestmark = pytest.mark.django_db(transaction=True)

ITEM_KEYS = {"paper", "publishedAt", "title", "summary", "thumbnail", "numComments", "isAuthorParticipating"}


def _build_indexes() -> None:
    sync_indexes(progress=False, console=None)


@pytest.fixture
def corpus(data_dir, make_paper, list_paper):
    made = {
        "speech": make_paper("2603.11001", title="Self-supervised speech representation learning with quokkas",
                             abstract="We learn speech representations without labels from quokka recordings.",
                             categories=["cs.CL", "eess.AS"], announced=date(2026, 3, 2), imported_upvotes=30),
        "vision": make_paper("2603.11002", title="Semi-supervised image segmentation",
                             abstract="Segmentation with few labels and many unlabeled images.",
                             categories=["cs.CV"], announced=date(2026, 3, 3), imported_upvotes=3),
        "security": make_paper("2603.11003", title="SSL certificate pinning failures in mobile apps",
                               abstract="We study TLS/SSL certificate validation bugs in Android apps.",
                               categories=["cs.CR"], announced=date(2026, 3, 4)),
    }
    list_paper(made["speech"], date(2026, 3, 2), submitter_name="akhaliq")
    _build_indexes()
    return made


def test_plain_list_in_hugging_face_shape(client, corpus):
    response = client.get("/api/papers/search", {"q": "quokka speech"})
    assert response.status_code == 200, response.content
    items = response.json()
    assert isinstance(items, list) and items
    assert items[0]["paper"]["id"] == "2603.11001"
    assert set(items[0]) >= ITEM_KEYS
    assert items[0]["submittedBy"]["name"] == "akhaliq"
    assert int(response["X-Total-Count"]) >= 1


def test_arxiv_id_goes_straight_to_the_paper(client, corpus):
    for form in ("2603.11003", "arXiv:2603.11003v2", "https://arxiv.org/abs/2603.11003"):
        items = client.get("/api/papers/search", {"q": form}).json()
        assert [i["paper"]["id"] for i in items] == ["2603.11003"], form


def test_groups_envelope_only_when_asked(client, corpus):
    body = client.get("/api/papers/search", {"q": "SSL", "groups": "1"}).json()
    assert set(body) >= {"query", "total", "results", "groups", "message", "filters"}
    assert body["query"] == "SSL"
    for group in body["groups"]:
        assert set(group) == {"key", "label", "size"} and group["size"] >= 1
    for hit in body["results"]:
        assert set(hit) >= ITEM_KEYS and isinstance(hit["score"], float)
        assert "title_html" in hit and "snippet_html" in hit


def test_filters_reach_the_service(client, corpus):
    items = client.get("/api/papers/search", {"q": "supervised", "cat": "cs.CV"}).json()
    assert [i["paper"]["id"] for i in items] == ["2603.11002"]
    dated = client.get("/api/papers/search", {"q": "supervised", "after": "2026-03-03"}).json()
    assert "2603.11001" not in [i["paper"]["id"] for i in dated]


@pytest.mark.parametrize("params", [{"q": "x", "limit": "0"}, {"q": "x", "after": "soon"},
                                    {"q": "x" * (MAX_QUERY_CHARS + 1)}])
def test_bad_parameters(client, corpus, params):
    response = client.get("/api/papers/search", params)
    assert response.status_code == 422
    assert response.json()["error"]


def test_huggingface_hub_list_papers(live_server, corpus, monkeypatch):
    hub = pytest.importorskip("huggingface_hub")
    from huggingface_hub import constants
    from huggingface_hub.utils._http import close_session

    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)
    try:
        found = list(hub.HfApi(endpoint=live_server.url, token=False).list_papers(query="quokka"))
    finally:
        close_session()
    assert found and found[0].id == "2603.11001"
