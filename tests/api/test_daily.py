"""GET /api/daily_papers: periods, orders, filters, paging, errors — and agreement with the pages."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from paperfeed.lists import ranking

pytestmark = pytest.mark.django_db

DAY1, DAY2, DAY3 = date(2026, 3, 2), date(2026, 3, 3), date(2026, 3, 9)


@pytest.fixture
def listed(make_paper, list_paper, member):
    """Three days of entries with distinct vote counts and publication times."""
    papers = {}
    spec = [
        ("2603.10001", DAY1, 5, datetime(2026, 2, 27, 8, tzinfo=UTC), ["cs.CL"]),
        ("2603.10002", DAY1, 50, datetime(2026, 2, 25, 8, tzinfo=UTC), ["cs.LG"]),
        ("2603.10003", DAY1, 20, datetime(2026, 3, 1, 8, tzinfo=UTC), ["cs.CL", "cs.AI"]),
        ("2603.10004", DAY2, 1, datetime(2026, 3, 2, 8, tzinfo=UTC), ["cs.CV"]),
        ("2603.10005", DAY3, 9, datetime(2026, 3, 8, 8, tzinfo=UTC), ["cs.CV"]),
        ("2603.10006", DAY3, 3, datetime(2026, 3, 8, 9, tzinfo=UTC), ["cs.LG"]),
    ]
    for arxiv_id, day, votes, published, cats in spec:
        paper = make_paper(arxiv_id, announced=day, published=published, imported_upvotes=votes, categories=cats)
        by_member = arxiv_id in {"2603.10003", "2603.10005"}
        list_paper(paper, day, submitted_by=member if by_member else None,
                   submitter_name="" if by_member else "akhaliq", source="member" if by_member else "hf")
        papers[arxiv_id] = paper
    return papers


def ids(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["paper"]["id"] for item in response.json()]


def test_default_is_the_latest_day_with_entries(client, listed):
    assert ids(client.get("/api/daily_papers")) == ["2603.10005", "2603.10006"]


def test_day_is_most_upvoted_first_like_the_page(client, listed):
    got = ids(client.get("/api/daily_papers", {"date": "2026-03-02"}))
    assert got == ["2603.10002", "2603.10003", "2603.10001"]
    assert got == [p.arxiv_id for p in ranking.listed_papers(ranking.parse_period("2026-03-02"))]


def test_week_and_month(client, listed):
    assert ids(client.get("/api/daily_papers", {"week": "2026-W10"})) == [
        "2603.10002", "2603.10003", "2603.10001", "2603.10004"]
    assert set(ids(client.get("/api/daily_papers", {"month": "2026-03"}))) == set(listed)
    assert ids(client.get("/api/daily_papers", {"month": "2026-05"})) == []


def test_sort_published_at_is_newest_first(client, listed):
    assert ids(client.get("/api/daily_papers", {"date": "2026-03-02", "sort": "publishedAt"})) == [
        "2603.10003", "2603.10001", "2603.10002"]


def test_sort_trending_uses_the_ranking_module(client, listed):
    expected = [item.paper.arxiv_id for item in ranking.trending(limit=50)]
    assert expected, "fixture data must trend"
    assert ids(client.get("/api/daily_papers", {"sort": "trending"})) == expected
    # A past period: its own papers, ordered by how they trended at its end.
    week = ids(client.get("/api/daily_papers", {"week": "2026-W10", "sort": "trending"}))
    assert sorted(week) == ["2603.10001", "2603.10002", "2603.10003", "2603.10004"]
    assert week[0] == "2603.10002"


def test_submitter_filter_matches_members_and_imported_names(client, listed):
    assert ids(client.get("/api/daily_papers", {"month": "2026-03", "submitter": "ada"})) == [
        "2603.10003", "2603.10005"]
    assert set(ids(client.get("/api/daily_papers", {"month": "2026-03", "submitter": "akhaliq"}))) == {
        "2603.10001", "2603.10002", "2603.10004", "2603.10006"}
    assert ids(client.get("/api/daily_papers", {"month": "2026-03", "submitter": "nobody"})) == []


def test_category_filter(client, listed):
    assert ids(client.get("/api/daily_papers", {"date": "2026-03-02", "cat": "cs.CL"})) == [
        "2603.10003", "2603.10001"]


def test_pages(client, listed):
    month = ids(client.get("/api/daily_papers", {"month": "2026-03"}))
    pages = [ids(client.get("/api/daily_papers", {"month": "2026-03", "limit": 4, "p": p})) for p in range(3)]
    assert pages[0] + pages[1] == month and pages[2] == []
    assert len(pages[0]) == 4


def test_hidden_entries_and_papers_are_not_listed(client, listed):
    listed["2603.10002"].daily_entries.update(hidden=True)
    type(listed["2603.10003"]).objects.filter(pk=listed["2603.10003"].pk).update(hidden=True)
    assert ids(client.get("/api/daily_papers", {"date": "2026-03-02"})) == ["2603.10001"]


def test_votes_cast_here_count(client, listed, member):
    from paperfeed.accounts.votes import upvote

    upvote(member, listed["2603.10006"])
    items = client.get("/api/daily_papers").json()
    assert [i["paper"]["upvotes"] for i in items] == [9, 4]


@pytest.mark.parametrize(
    ("params", "status", "needle"),
    [
        ({"date": "2026-13-01"}, 400, "date"),
        ({"date": "yesterday"}, 400, "date"),
        ({"date": "2026-03"}, 400, "month, not a day"),
        ({"week": "2026-W60"}, 400, "week"),
        ({"month": "2026-3-1"}, 400, "month"),
        ({"date": "2026-03-02", "week": "2026-W10"}, 400, "only one"),
        ({"sort": "random"}, 422, "sort"),
        ({"limit": "0"}, 422, "limit"),
        ({"limit": "101"}, 422, "limit"),
        ({"limit": "ten"}, 422, "limit"),
        ({"p": "-1"}, 422, "p"),
        ({"p": "1e9"}, 422, "p"),
        ({"date": "x" * 5000}, 422, "date"),
        ({"cat": "cs.LG\x00"}, 422, "control characters"),
        ({"submitter": "\x00"}, 422, "control characters"),
    ],
)
def test_bad_parameters_get_a_json_error_naming_them(client, listed, params, status, needle):
    response = client.get("/api/daily_papers", params)
    assert response.status_code == status
    body = response.json()
    assert set(body) == {"error", "detail"}
    assert needle in (body["error"] + " " + str(body["detail"]))


def test_odd_query_strings_never_fail(client, listed):
    for query in ("date=%00", "date=%ff%fe", "date=2026-03-02&date=2026-03-03", "p=&limit=", "cat=%00",
                  "submitter=%27%22%3B--", "sort=", "week=0000-W00", "month=9999-12",
                  "date=0001-01-01&sort=trending", "date=9999-12-31&sort=trending", "week=9999-W52"):
        response = client.get(f"/api/daily_papers?{query}")
        assert response.status_code in (200, 400, 422), (query, response.status_code)
        assert response["Content-Type"].startswith("application/json")
