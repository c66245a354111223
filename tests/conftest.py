"""Shared fixtures. The suite runs twice: on SQLite, then (PAPERFEED_DB_TESTS_ONLY=1) only the
tests that touch the database, on PostgreSQL."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
DB_FIXTURES = {"db", "transactional_db", "django_db_reset_sequences", "django_db_serialized_rollback",
               "live_server", "client", "admin_client", "django_user_model", "admin_user"}


def pytest_collection_modifyitems(config, items):
    if os.environ.get("PAPERFEED_DB_TESTS_ONLY") != "1":
        return
    keep, drop = [], []
    for item in items:
        uses_db = bool(DB_FIXTURES & set(getattr(item, "fixturenames", ()))) or item.get_closest_marker("django_db")
        (keep if uses_db else drop).append(item)
    items[:] = keep
    config.hook.pytest_deselected(items=drop)


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not SHARED_DATA.exists():
        pytest.skip("../shared/data is not beside the checkout")
    return SHARED_DATA


@pytest.fixture
def data_dir(tmp_path, settings):
    """A private data dir (indexes etc.) for one test."""
    settings.DATA_DIR = tmp_path
    settings.INDEX_DIR = tmp_path / "index"
    return tmp_path


@pytest.fixture
def is_postgres() -> bool:
    from django.db import connection

    return connection.vendor == "postgresql"


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
    """Django's SMTP backend pointed at a real local SMTP server (aiosmtpd)."""
    from tests.support.servers import SmtpSink

    sink = SmtpSink().start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", sink.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    yield sink
    sink.stop()


@pytest.fixture
def arxiv(shared_data, settings):
    """The local fake arXiv API (real recorded responses), with settings pointing at it."""
    from tests.support.fake_arxiv import FakeArxiv
    from tests.support.servers import LocalServer

    with LocalServer(FakeArxiv(shared_data / "arxiv-formats")) as server:
        settings.ARXIV_API_URL = f"{server.url}/api/query"
        settings.ARXIV_API_DELAY = 0
        yield server
