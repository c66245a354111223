from __future__ import annotations

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fresh_cache(db):
    """Rate-limit counters live in the DatabaseCache; every test starts from zero."""
    cache.clear()
    yield
    cache.clear()
