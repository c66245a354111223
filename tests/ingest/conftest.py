from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def formats(fixtures) -> Path:
    return fixtures / "arxiv-formats"


@pytest.fixture
def no_sleep(monkeypatch):
    """Record the waits the clients ask for instead of sleeping through them."""
    waits: list[float] = []
    import paperfeed.ingest.http as http

    monkeypatch.setattr(http.time, "sleep", waits.append)
    return waits
