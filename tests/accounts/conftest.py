from __future__ import annotations

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fresh_cache(db):
    """Every test starts with an empty cache (rate-limit counters are database rows, rolled back with the test)."""
    cache.clear()
    yield
    cache.clear()
