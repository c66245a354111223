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
