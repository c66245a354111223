from __future__ import annotations

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fresh_cache(db):
    """Rate-limit counters live in the DatabaseCache; every test starts from zero."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def member(django_user_model):
    return django_user_model.objects.create_user("alice", "alice@example.org", "correct horse battery 1")


@pytest.fixture
def other(django_user_model):
    return django_user_model.objects.create_user("bob", "bob@example.org", "correct horse battery 2")


@pytest.fixture
def member_client(client, member):
    client.force_login(member)
    return client
