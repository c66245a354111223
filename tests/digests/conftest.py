from __future__ import annotations

import pytest

from .helpers import SmtpSink, real_papers, store

DAY = "2026-05-12"


@pytest.fixture
def smtp(settings):
    """A real SMTP server, with Django's SMTP backend pointed at it."""
    sink = SmtpSink().start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = sink.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 5
    settings.SITE_URL = "http://hub.example.org"
    yield sink
    sink.stop()


@pytest.fixture
def day_papers(shared_data, db):
    """One real listing day (2026-05-12) of cs.CL/cs.LG/cs.CV papers, with some upvotes."""
    rows = real_papers(str(shared_data), DAY, DAY, ("cs.CL", "cs.LG", "cs.CV"))[:60]
    store(rows, {row["id"]: 60 - i for i, row in enumerate(rows)})
    return rows
