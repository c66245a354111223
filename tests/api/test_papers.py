"""GET /api/papers/{id} and the cursor-paginated GET /api/papers."""

from __future__ import annotations

import threading
import time
from datetime import date, timedelta

import pytest
from django.db import OperationalError, connection

from paperfeed.api import cursors
from paperfeed.papers.models import Paper
from tests.support.busy import retrying_busy

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "form",
    ["2603.30001", "2603.30001v2", "arXiv:2603.30001", "arxiv:2603.30001v1", "https%3A%2F%2Farxiv.org%2Fabs%2F2603.30001v3"],
)
def test_paper_by_any_id_form(client, make_paper, form):
    make_paper("2603.30001", title="Found by every form")
    response = client.get(f"/api/papers/{form}")
    assert response.status_code == 200, response.content
    assert response.json()["id"] == "2603.30001"
    assert response.json()["title"] == "Found by every form"


def test_old_style_id_with_a_slash(client, make_paper):
    make_paper("hep-th/9901001", title="An old one", categories=["hep-th"])
    assert client.get("/api/papers/hep-th/9901001").json()["id"] == "hep-th/9901001"
    assert client.get("/api/papers/hep-th/9901001v2").json()["id"] == "hep-th/9901001"


def test_listed_paper_carries_its_submission(client, make_paper, list_paper, member):
    paper = make_paper("2603.30002")
    list_paper(paper, date(2026, 3, 4), submitted_by=member)
    body = client.get("/api/papers/2603.30002").json()
    assert body["submittedOnDailyAt"] == "2026-03-04T00:00:00.000Z"
    assert body["submittedOnDailyBy"]["user"] == "ada"


@pytest.mark.parametrize("bad", ["2603.99999", "not-an-id", "2613.00001", "1234", "%00", "x" * 400])
def test_unknown_or_invalid_ids_are_json_404(client, make_paper, bad):
    make_paper("2603.30003")
    response = client.get(f"/api/papers/{bad}")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"]


def test_hidden_paper_is_404(client, make_paper):
    paper = make_paper("2603.30004")
    Paper.objects.filter(pk=paper.pk).update(hidden=True)
    assert client.get("/api/papers/2603.30004").status_code == 404


# ---- GET /api/papers ----------------------------------------------------------------


def walk(client, params: dict | None = None, limit: int = 4, between_pages=None) -> list[str]:
    seen: list[str] = []
    cursor = None
    for _ in range(1000):
        query = {**(params or {}), "limit": limit}
        if cursor:
            query["cursor"] = cursor
        # SQLite's in-memory test database locks whole tables while the writer thread commits.
        response = retrying_busy(client.get, "/api/papers", query)
        assert response.status_code == 200, response.content
        body = response.json()
        seen += [p["id"] for p in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            return seen
        if between_pages:
            between_pages(len(seen))
    raise AssertionError("cursor never ended")


@pytest.fixture
def corpus(make_paper):
    """15 papers over 5 days, 3 per day; one never announced."""
    made = []
    for offset in range(15):
        made.append(make_paper(f"2603.4{offset:04d}", announced=date(2026, 3, 1) + timedelta(days=offset // 3),
                               categories=["cs.CL"] if offset % 2 else ["cs.LG", "cs.CL"]))
    return made


def test_walk_is_newest_first_and_complete(client, corpus):
    seen = walk(client)
    assert sorted(seen) == sorted(p.arxiv_id for p in corpus)
    assert len(seen) == len(set(seen))
    announced = [Paper.objects.get(arxiv_id=i).announced for i in seen]
    assert announced == sorted(announced, reverse=True)


def test_filters(client, corpus):
    lg = walk(client, {"cat": "cs.LG"})
    assert sorted(lg) == sorted(p.arxiv_id for p in corpus if "cs.LG" in p.category_list)
    window = walk(client, {"after": "2026-03-02", "before": "2026-03-03"})
    assert sorted(window) == sorted(p.arxiv_id for p in corpus if date(2026, 3, 2) <= p.announced <= date(2026, 3, 3))
    response = client.get("/api/papers", {"after": "2026-03-05", "before": "2026-03-01"})
    assert response.status_code == 400 and "after" in response.json()["error"]
    assert client.get("/api/papers", {"after": "March"}).status_code == 422


def test_inserts_between_pages_never_duplicate_or_skip(client, corpus, make_paper):
    """Papers added while a client pages — newer, same-day and backfilled older ones."""
    original = {p.arxiv_id for p in corpus}
    added: list[str] = []

    def insert(n_seen: int) -> None:
        for announced in (date(2026, 4, 1), date(2026, 3, 3), date(2026, 2, 1)):
            added.append(make_paper(announced=announced).arxiv_id)

    seen = walk(client, between_pages=insert)
    assert len(seen) == len(set(seen)), "an item was served twice"
    assert original <= set(seen), f"skipped: {original - set(seen)}"
    assert set(seen) - original <= set(added)
    # The backfilled ones sort below every cursor, so the walk meets all of them.
    backfilled = {p for p in added if Paper.objects.get(arxiv_id=p).announced == date(2026, 2, 1)}
    assert backfilled <= set(seen)


@pytest.mark.django_db(transaction=True)
def test_concurrent_writer_thread_during_walk(client, make_paper):
    """A real second connection inserting while we page: still each original item exactly once."""
    original = {make_paper(f"2603.5{i:04d}", announced=date(2026, 3, 1) + timedelta(days=i % 4)).arxiv_id
                for i in range(24)}
    stop = threading.Event()
    errors: list[BaseException] = []

    def writer() -> None:
        try:
            i = 0
            while not stop.is_set() and i < 200:
                try:
                    make_paper(f"2603.6{i:04d}", announced=date(2026, 3, 1) + timedelta(days=(i % 6) - 1))
                except OperationalError:  # SQLite table lock held by the reader: try again
                    time.sleep(0.01)
                    continue
                i += 1
        except BaseException as error:  # surfaced below
            errors.append(error)
        finally:
            connection.close()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        time.sleep(0.05)  # let the writer get going
        seen = walk(client, limit=5)
    finally:
        stop.set()
        thread.join()
    assert not errors, errors
    assert Paper.objects.count() > len(original), "the writer must have inserted during the walk"
    assert len(seen) == len(set(seen))
    assert original <= set(seen)


def test_bad_cursors_are_400(client, corpus):
    good = client.get("/api/papers", {"limit": 2}).json()["next_cursor"]
    for bad in ("garbage", good[:-3] + "abc", good + "x", "eyJ2IjoxfQ:1abc:def", "%00"):
        response = client.get("/api/papers", {"cursor": bad})
        assert response.status_code == 400, bad
        assert response.json()["error"] == "Invalid cursor"
    assert client.get("/api/papers", {"cursor": "x" * 3000}).status_code == 422


def test_cursor_round_trip_handles_never_announced(client, make_paper):
    made = [make_paper(f"2603.7{i:04d}") for i in range(3)]
    Paper.objects.filter(pk__in=[p.pk for p in made[:2]]).update(announced=None)
    seen = walk(client, limit=1)
    assert seen == [made[2].arxiv_id, made[1].arxiv_id, made[0].arxiv_id]
    assert cursors.decode(cursors.encode(cursors.Position(None, 7))) == cursors.Position(None, 7)
