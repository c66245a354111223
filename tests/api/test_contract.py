"""Contract: paperfeed's items carry the key sets and value types of recent real Hugging Face items.

The profile is learned from the archived responses in tests/fixtures (the last 60 days of
the archive, since HF's shapes changed over two years): a key present in every recent item is
required, any other key seen is allowed, and every value must have a type HF used for it.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, timedelta

import pytest

from paperfeed.api import serializers
from paperfeed.lists import ranking
from paperfeed.papers.links import is_bogus_project

from .hf_import import import_hf_row

RECENT_DAYS = 60
NESTED = {  # path in an item -> how to reach the dict(s) there
    "item": lambda it: [it],
    "paper": lambda it: [it["paper"]],
    "paper.authors[]": lambda it: it["paper"].get("authors", []),
    "paper.submittedOnDailyBy": lambda it: [it["paper"]["submittedOnDailyBy"]] if "submittedOnDailyBy" in it["paper"] else [],
    "paper.organization": lambda it: [it["paper"]["organization"]] if "organization" in it["paper"] else [],
    "submittedBy": lambda it: [it["submittedBy"]] if "submittedBy" in it else [],
    "organization": lambda it: [it["organization"]] if "organization" in it else [],
}


def json_type(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, list):
        inner = sorted({json_type(v) for v in value})
        return f"list[{'|'.join(inner)}]" if inner else "list"
    return {int: "int", float: "float", str: "str", dict: "dict"}.get(type(value), type(value).__name__)


class Profile:
    """Per path: how many dicts were seen, how often each key, and each key's types."""

    def __init__(self, items: list[dict]):
        self.count: Counter = Counter()
        self.keys: dict[str, Counter] = defaultdict(Counter)
        self.types: dict[tuple[str, str], set[str]] = defaultdict(set)
        for item in items:
            for path, reach in NESTED.items():
                for obj in reach(item):
                    self.count[path] += 1
                    for key, value in obj.items():
                        self.keys[path][key] += 1
                        self.types[path, key].add(json_type(value))

    def required(self, path: str) -> set[str]:
        return {k for k, n in self.keys[path].items() if n == self.count[path]}

    def allowed(self, path: str) -> set[str]:
        return set(self.keys[path])

    def type_ok(self, path: str, key: str, value) -> bool:
        seen = self.types[path, key]
        kind = json_type(value)
        if kind == "list":  # an empty list matches any list type HF used
            return any(t.startswith("list") for t in seen)
        return kind in seen or (kind.startswith("list[") and "list" in seen)

    def violations(self, item: dict, *, has_entry: bool = True) -> list[str]:
        problems = []
        for path, reach in NESTED.items():
            for obj in reach(item):
                missing = self.required(path) - set(obj)
                if not has_entry:
                    missing -= {"submittedOnDailyAt", "submittedOnDailyBy", "submittedBy"}
                problems += [f"{path}: missing {key!r}" for key in sorted(missing)]
                for key, value in obj.items():
                    if key not in self.allowed(path):
                        problems.append(f"{path}: unexpected key {key!r}")
                    elif not self.type_ok(path, key, value):
                        problems.append(f"{path}.{key}: {json_type(value)} not in {sorted(self.types[path, key])}")
        return problems


@pytest.fixture(scope="module")
def recent(hf_rows) -> list[dict]:
    last = max(date.fromisoformat(r["day"]) for r in hf_rows)
    since = (last - timedelta(days=RECENT_DAYS)).isoformat()
    return [r for r in hf_rows if r["day"] >= since]


@pytest.fixture(scope="module")
def profile(recent) -> Profile:
    return Profile([r["item"] for r in recent])


def test_profile_is_learned_from_enough_recent_items(profile, recent):
    # Guards the test itself: a profile from a handful of items would make everything "required".
    assert len(recent) > 300
    assert {"paper", "publishedAt", "title", "summary", "thumbnail", "numComments", "submittedBy",
            "isAuthorParticipating"} <= profile.required("item")
    assert {"id", "authors", "publishedAt", "title", "summary", "upvotes", "discussionId"} <= profile.required("paper")
    assert profile.required("paper.authors[]") == {"_id", "name", "hidden"}


def test_the_checker_catches_wrong_shapes(profile, recent):
    item = dict(recent[-1]["item"])
    assert profile.violations(item) == []
    broken = {**item, "numComments": "3", "extraKey": 1, "paper": {**item["paper"], "upvotes": None}}
    del broken["thumbnail"]
    problems = profile.violations(broken)
    assert "item: missing 'thumbnail'" in problems
    assert "item: unexpected key 'extraKey'" in problems
    assert any(p.startswith("item.numComments: str") for p in problems)
    assert any(p.startswith("paper.upvotes: null") for p in problems)


@pytest.mark.django_db
def test_member_submission_with_every_optional_field(client, profile, make_paper, list_paper, member):
    paper = make_paper(
        "2603.01234",
        title="Sparse attention at scale",
        code_url="https://github.com/example/sparse",
        project_url="https://example.github.io/sparse/",
        github_stars=120,
        ai_summary="It makes attention sparse.",
        ai_keywords=["sparse attention", "transformers"],
        imported_upvotes=7,
    )
    list_paper(paper, date(2026, 3, 2), submitted_by=member, num_comments=3)
    items = client.get("/api/daily_papers", {"date": "2026-03-02"}).json()
    assert len(items) == 1
    item = items[0]
    assert profile.violations(item) == []
    assert item["paper"]["githubRepo"] == "https://github.com/example/sparse"
    assert item["paper"]["githubStars"] == 120
    assert item["paper"]["ai_keywords"] == ["sparse attention", "transformers"]
    assert item["submittedBy"]["name"] == "ada" and item["submittedBy"]["fullname"] == "Ada Lovelace"
    assert item["paper"]["submittedOnDailyBy"]["user"] == "ada"
    assert item["numComments"] == 3 and item["paper"]["upvotes"] == 7


@pytest.mark.django_db
def test_bare_admin_entry_still_has_every_required_key(client, profile, make_paper, list_paper):
    paper = make_paper(title="No extras at all", authors=[], abstract="")
    list_paper(paper, date(2026, 3, 2), source="admin")
    (item,) = client.get("/api/daily_papers", {"date": "2026-03-02"}).json()
    assert profile.violations(item) == []
    for optional in ("githubRepo", "githubStars", "projectPage", "ai_summary", "ai_keywords", "organization"):
        assert optional not in item["paper"], "absent values are omitted, as Hugging Face does (never null)"


@pytest.mark.django_db
def test_paper_endpoint_matches_the_paper_profile(client, profile, make_paper):
    make_paper("2603.04321")
    body = client.get("/api/papers/2603.04321").json()
    assert profile.violations({"paper": body, "publishedAt": "", "title": "", "summary": "", "thumbnail": "",
                               "numComments": 0, "isAuthorParticipating": False}, has_entry=False) == []


@pytest.mark.django_db
def test_imported_real_items_come_back_with_their_keys_and_values(client, profile, recent):
    """Real HF items stored in paperfeed read back with every key they had, same types, same values."""
    days = sorted({r["day"] for r in recent})[-3:]
    rows = [r for r in recent if r["day"] in days]
    for row in rows:
        import_hf_row(row)
    for day in days:
        expected = [r["item"] for r in rows if r["day"] == day]
        served = client.get("/api/daily_papers", {"date": day, "limit": 100}).json()
        assert len(served) == len(expected)
        by_id = {item["paper"]["id"]: item for item in served}
        for real in expected:
            ours = by_id[real["paper"]["id"]]
            assert profile.violations(ours) == []
            assert set(real) <= set(ours), set(real) - set(ours)
            # A "project page" that only leads back to the paper is dropped on import (issue 12).
            bogus = is_bogus_project(real["paper"].get("projectPage"), real["paper"]["id"])
            kept = set(real["paper"]) - ({"projectPage"} if bogus else set())
            assert kept <= set(ours["paper"]), kept - set(ours["paper"])
            for field in ("thumbnail", "numComments", "isAuthorParticipating", "submittedBy", "organization"):
                assert ours.get(field) == real.get(field), field
            for field in ("id", "upvotes", "discussionId", "submittedOnDailyAt", "submittedOnDailyBy", "authors",
                          "ai_keywords", "ai_summary", "organization", "mediaUrls"):
                assert ours["paper"].get(field) == real["paper"].get(field), (real["paper"]["id"], field)
            # Links HF lacked may be found in the abstract by paperfeed; the ones HF had are kept.
            for field in ("githubRepo", "projectPage", "githubStars"):
                if field in kept:
                    assert ours["paper"][field] == real["paper"][field], (real["paper"]["id"], field)
        # The order is the web page's: most upvoted first.
        listed = [p.arxiv_id for p in ranking.listed_papers(ranking.parse_period(day))[:100]]
        assert [item["paper"]["id"] for item in served] == listed


def test_time_format_is_what_huggingface_hub_parses():
    from datetime import UTC, datetime

    from huggingface_hub.utils import parse_datetime

    value = serializers.js_time(datetime(2026, 3, 2, 9, 30, 5, 123456, tzinfo=UTC))
    assert value == "2026-03-02T09:30:05.123Z"
    assert parse_datetime(value) == datetime(2026, 3, 2, 9, 30, 5, 123000, tzinfo=UTC)
    assert serializers.js_time(date(2026, 3, 2)) == "2026-03-02T00:00:00.000Z"
