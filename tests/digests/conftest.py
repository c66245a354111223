from __future__ import annotations

import pytest

from .helpers import real_papers, store

DAY = "2026-05-12"


@pytest.fixture
def smtp(smtp, settings):
    """The shared SMTP server, with absolute links pointing at a known hub address."""
    settings.EMAIL_TIMEOUT = 5
    settings.SITE_URL = "http://hub.example.org"
    return smtp


@pytest.fixture
def day_papers(fixtures, db):
    """One real listing day (2026-05-12) of cs.CL/cs.LG/cs.CV papers, with some upvotes."""
    rows = real_papers(str(fixtures), DAY, DAY, ("cs.CL", "cs.LG", "cs.CV"))[:60]
    store(rows, {row["id"]: 60 - i for i, row in enumerate(rows)})
    return rows
