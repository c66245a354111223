"""Fixtures for the API tests: papers through upsert_papers, entries, members and tokens."""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable
from datetime import UTC, date, datetime

import pytest
from django.core.cache import cache

from paperfeed.accounts.models import ApiToken
from paperfeed.papers.models import DailyEntry, Paper
from paperfeed.papers.records import PaperRecord
from paperfeed.papers.upsert import upsert_papers


@pytest.fixture(autouse=True)
def _fresh_cache(db):
    """Rate-limit counters live in the DatabaseCache; start every test from zero."""
    cache.clear()
    yield
    cache.clear()


_serial = iter(range(10_000, 99_999))


def next_id(year_month: str = "2603") -> str:
    return f"{year_month}.{next(_serial):05d}"


@pytest.fixture
def make_paper() -> Callable[..., Paper]:
    """Store a paper the way every source does (upsert_papers) and return it."""

    def make(arxiv_id: str | None = None, *, title: str = "A study of things", announced: date | None = None,
             published: datetime | None = None, **fields) -> Paper:
        arxiv_id = arxiv_id or next_id()
        announced = announced or date(2026, 3, 2)
        record = PaperRecord(
            arxiv_id=arxiv_id,
            title=title,
            abstract=fields.pop("abstract", f"We study {title.lower()}."),
            authors=fields.pop("authors", ["Ada Lovelace", "Alan Turing"]),
            categories=fields.pop("categories", ["cs.LG", "cs.AI"]),
            published=published or datetime(announced.year, announced.month, announced.day, 9, 30, tzinfo=UTC),
            announced=announced,
            source="test",
            **fields,
        )
        result = upsert_papers([record])
        assert not result.rejected, result.rejections
        return Paper.objects.get(arxiv_id=arxiv_id)

    return make


@pytest.fixture
def list_paper() -> Callable[..., DailyEntry]:
    def make(paper: Paper, day: date, **fields) -> DailyEntry:
        return DailyEntry.objects.create(paper=paper, day=day, **fields)

    return make


@pytest.fixture
def member(django_user_model):
    return django_user_model.objects.create_user("ada", "ada@example.org", "correct horse battery", first_name="Ada",
                                                 last_name="Lovelace")


@pytest.fixture
def token(member) -> str:
    _, secret = ApiToken.issue(member, name="tests")
    return secret


@pytest.fixture
def auth(token) -> dict:
    """Headers for the Django test client."""
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def load_hf_items(shared_data, since: str | None = None) -> list[dict]:
    with gzip.open(shared_data / "hf_daily_papers.jsonl.gz", "rt") as fh:
        rows = [json.loads(line) for line in fh]
    if since is None:
        return rows
    return [row for row in rows if row["day"] >= since]


@pytest.fixture(scope="session")
def hf_rows(shared_data) -> list[dict]:
    return load_hf_items(shared_data)
