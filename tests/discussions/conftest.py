"""Fixtures for the discussion tests: a paper listed on a day, members, a moderator, API tokens."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache

from paperfeed.accounts.models import ApiToken
from paperfeed.discussions.moderation import MODERATORS_GROUP
from tests.factories import list_paper, make_paper


@pytest.fixture(autouse=True)
def _fresh_cache(db):
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def paper(db):
    found = make_paper("2604.00100", title="Sparse attention for long documents")
    list_paper(found, num_comments=3)  # Hugging Face reported three comments of its own
    return found


@pytest.fixture
def ada(django_user_model):
    return django_user_model.objects.create_user("ada", "ada@example.org", "correct horse battery")


@pytest.fixture
def bob(django_user_model):
    return django_user_model.objects.create_user("bob", "bob@example.org", "correct horse battery")


@pytest.fixture
def mod(django_user_model):
    user = django_user_model.objects.create_user("mo", "mo@example.org", "correct horse battery")
    user.groups.add(Group.objects.get_or_create(name=MODERATORS_GROUP)[0])
    return user


@pytest.fixture
def token_of():
    def issue(user) -> dict:
        _, secret = ApiToken.issue(user, name="tests")
        return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}

    return issue
