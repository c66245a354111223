"""Degraded search, door side: with a damaged index the service searches the database instead and
every door says so (the page's notice, the envelope's ``degraded``, the ``X-Search-Degraded``
header), never an empty success. The index files are damaged for real: the lexical directory
deleted or filled with garbage, the vector file truncated.
"""

from __future__ import annotations

import json
import os
import shutil
from datetime import date
from pathlib import Path

import pytest
from django.conf import settings

from paperfeed.search import service
from paperfeed.search.sync import sync_indexes
from tests.factories import make_paper

pytestmark = pytest.mark.django_db(transaction=True)


def _generation() -> Path:
    index = Path(settings.INDEX_DIR)
    return index / json.loads((index / "CURRENT.json").read_text())["dir"]


def delete_lexical() -> None:
    shutil.rmtree(_generation() / "lexical")


def garbage_in_lexical() -> None:
    for path in (_generation() / "lexical").iterdir():
        if path.is_file():
            path.write_bytes(b"\x00\xffnot an index\x13\x37" * 7)


def truncate_vectors() -> None:
    path = next((_generation() / "vectors").glob("vectors*.npy"))
    os.truncate(path, path.stat().st_size // 2)


DAMAGE = [delete_lexical, garbage_in_lexical, truncate_vectors]


@pytest.fixture
def corpus(index_env):
    make_paper("2603.31001", "Quokka census by drone", "We count quokkas from the air.", authors=("Ada Lovelace",),
               categories=("cs.CV",), announced=date(2026, 3, 2))
    make_paper("2603.31002", "Wombat burrows in lidar scans", "Burrows of wombats, mapped.", authors=("Alan Turing",),
               categories=("cs.RO",), announced=date(2026, 3, 3))
    make_paper("2603.31003", "Quokka speech without labels", "Self-supervised quokka calls.",
               authors=("Grace Hopper",), categories=("cs.CL",), announced=date(2026, 3, 4))
    sync_indexes(progress=False)


def ids(results) -> list[str]:
    return [hit.paper.arxiv_id for hit in results.hits]


def test_a_whole_index_is_not_degraded(corpus, client):
    assert service.search("quokka").degraded is False
    response = client.get("/api/papers/search", {"q": "quokka", "groups": "1"})
    assert response.json()["degraded"] is False and "X-Search-Degraded" not in response
    assert b"data-degraded" not in client.get("/search/", {"q": "quokka"}).content


@pytest.mark.parametrize("damage", DAMAGE, ids=lambda f: f.__name__)
def test_damage_falls_back_to_the_database_and_says_so(corpus, damage):
    damage()
    results = service.search("quokka")
    assert results.degraded is True
    assert sorted(ids(results)) == ["2603.31001", "2603.31003"] and results.total == 2
    assert "reduced mode" in results.message
    assert ids(service.search("quokka", category="cs.CL")) == ["2603.31003"]
    assert ids(service.search("quokka", author="Grace Hopper")) == ["2603.31003"]


@pytest.mark.parametrize("damage", DAMAGE, ids=lambda f: f.__name__)
def test_every_door_says_degraded(corpus, client, damage):
    damage()
    plain = client.get("/api/papers/search", {"q": "quokka"})
    assert plain.status_code == 200 and plain["X-Search-Degraded"] == "1"
    assert sorted(i["paper"]["id"] for i in plain.json()) == ["2603.31001", "2603.31003"]
    envelope = client.get("/api/papers/search", {"q": "quokka", "groups": "1"})
    body = envelope.json()
    assert body["degraded"] is True and body["total"] == 2 and "reduced mode" in body["message"]
    assert envelope["X-Search-Degraded"] == "1"
    posted = client.post("/api/papers/search", {"q": "wombat", "groups": True}, content_type="application/json")
    assert posted.json()["degraded"] is True and [r["paper"]["id"] for r in posted.json()["results"]] == ["2603.31002"]
    html = client.get("/search/", {"q": "quokka"}).content.decode()
    assert "data-degraded" in html and "Quokka census by drone" in html and "search failed" not in html.lower()


def test_repair_ends_the_degraded_mode(corpus, client):
    delete_lexical()
    assert service.search("quokka").degraded is True
    sync_indexes(progress=False)  # what `paperfeed index` runs: it repairs the damage
    results = service.search("quokka")
    assert results.degraded is False and "2603.31001" in ids(results)
    assert "X-Search-Degraded" not in client.get("/api/papers/search", {"q": "quokka"})
