"""Shared fixtures. The suite runs twice: on SQLite, then (PAPERFEED_DB_TESTS_ONLY=1) only the
tests that touch the database, on PostgreSQL.

Everything the tests read is in the repo (tests/fixtures, cut by scripts/build_test_fixtures.py),
so no test may skip for missing data: a skip whose reason is not in ALLOWED_SKIPS is reported as
a failure. The allowed ones are about the machine, not the data; in CI (CI=true) a missing
browser fails too, because CI installs one.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parent / "fixtures"
ALLOWED_SKIPS = ("concurrent writers need PostgreSQL",)  # tests/accounts/test_votes.py, SQLite pass only
LOCAL_ONLY_SKIPS = ("Chromium not found", "pip install playwright")  # tests/browser/conftest.py
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


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Turn a skip that no rule allows into a failure, so missing data can never pass quietly."""
    report = (yield).get_result()
    if not report.skipped or hasattr(report, "wasxfail") or not isinstance(report.longrepr, tuple):
        return
    reason = report.longrepr[2]
    allowed = ALLOWED_SKIPS + (() if os.environ.get("CI") == "true" else LOCAL_ONLY_SKIPS)
    if not any(text in reason for text in allowed):
        report.outcome = "failed"
        report.longrepr = f"{reason}\nThis skip is not allowed (tests/conftest.py ALLOWED_SKIPS): fix the cause."


@pytest.fixture(scope="session")
def fixtures() -> Path:
    """tests/fixtures: the real arXiv and Hugging Face data the tests read, cut to size."""
    if not (FIXTURES / "arxiv-formats").is_dir():
        pytest.fail(f"{FIXTURES} is incomplete: rebuild it with scripts/build_test_fixtures.py")
    return FIXTURES


@pytest.fixture
def make_paper(db):
    """tests.factories.make_paper, for tests that take their factories as fixtures."""
    from tests.factories import make_paper

    return make_paper


@pytest.fixture
def list_paper(db):
    """tests.factories.list_paper, for tests that take their factories as fixtures."""
    from tests.factories import list_paper

    return list_paper


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
def arxiv(fixtures, settings):
    """The local fake arXiv API (real recorded responses), with settings pointing at it."""
    from tests.support.fake_arxiv import FakeArxiv
    from tests.support.servers import LocalServer

    with LocalServer(FakeArxiv(fixtures / "arxiv-formats")) as server:
        settings.ARXIV_API_URL = f"{server.url}/api/query"
        settings.ARXIV_API_DELAY = 0
        yield server
