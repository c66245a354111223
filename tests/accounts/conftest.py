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


@pytest.fixture
def smtp(settings):
    """Django's SMTP backend pointed at a real local SMTP server."""
    from .smtp import Inbox

    inbox = Inbox()
    inbox.controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", inbox.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    yield inbox
    inbox.controller.stop()


@pytest.fixture
def arxiv(shared_data, settings):
    """The local fake arXiv API, with settings pointing at it."""
    from .fake_arxiv import FakeArxiv

    fake = FakeArxiv(shared_data / "arxiv-formats").start()
    settings.ARXIV_API_URL = fake.url
    settings.ARXIV_API_DELAY = 0
    yield fake
    fake.stop()
