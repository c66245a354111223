"""Fixtures for the API tests: members, tokens and the real Hugging Face items (papers: tests/factories.py)."""

from __future__ import annotations

import gzip
import json

import pytest
from django.core.cache import cache

from paperfeed.accounts.models import ApiToken


@pytest.fixture(autouse=True)
def _fresh_cache(db):
    """Every test starts with an empty cache (rate-limit counters are database rows, rolled back with the test)."""
    cache.clear()
    yield
    cache.clear()


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


@pytest.fixture(scope="session")
def hf_rows(fixtures) -> list[dict]:
    """The Hugging Face items in tests/fixtures (the contract test learns HF's shapes from them)."""
    with gzip.open(fixtures / "hf_daily_papers.jsonl.gz", "rt") as fh:
        return [json.loads(line) for line in fh]
