"""Property-based fuzzing of every operation in /api/openapi.json with schemathesis.

Schemathesis generates valid and invalid inputs from our own OpenAPI schema (query
strings, path ids, JSON bodies) and calls the app in-process through WSGI; the checks are:
no 5xx, only documented status codes, JSON content type, and bodies that match the
documented schemas. Examples are bounded so the whole file stays well under a minute.
"""

from __future__ import annotations

from contextlib import contextmanager
from datetime import date

import pytest

schemathesis = pytest.importorskip("schemathesis")

from django.core.signals import request_finished, request_started  # noqa: E402
from django.core.wsgi import get_wsgi_application  # noqa: E402
from django.db import close_old_connections  # noqa: E402
from hypothesis import HealthCheck, settings  # noqa: E402
from schemathesis.checks import (  # noqa: E402
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from paperfeed.accounts.models import ApiToken  # noqa: E402

MAX_EXAMPLES = 30
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@contextmanager
def _keep_test_connection():
    """Calls go straight into Django's WSGI handler, whose request signals would close the
    test's database connection mid-transaction; Django's own test client disconnects them
    around each request the same way (and reconnects them after, hence per test here)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


# Loaded at import: schemathesis' from_fixture does not work with pytest 9.
with _keep_test_connection():
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", get_wsgi_application())


@pytest.fixture
def fuzz_world(db, make_paper, list_paper, django_user_model, settings):
    """Some real data so generated requests reach past the 404s: papers, entries, a collection."""
    settings.API_WRITE_RATE = "1000000/m"
    settings.SUBMISSIONS_PER_DAY = 1_000_000
    user = django_user_model.objects.create_user("fuzz", "fuzz@example.org", "pw-long-enough-1")
    for n in range(6):
        paper = make_paper(f"2603.9{n:04d}", announced=date(2026, 3, 2 + n % 2), imported_upvotes=n,
                           code_url="https://github.com/example/x" if n % 2 else None)
        list_paper(paper, date(2026, 3, 2 + n % 2), submitter_name="akhaliq" if n % 2 else "")
    make_paper("2503.11731")  # the id the schema's examples use, so example-based calls find it
    from paperfeed.accounts.models import Collection

    Collection.objects.create(user=user, name="to read", slug="to-read")
    _, secret = ApiToken.issue(user)
    with _keep_test_connection():
        yield {"Authorization": f"Bearer {secret}"}


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
def test_no_server_errors_and_responses_match_the_schema(case, fuzz_world):
    case.call_and_validate(headers=fuzz_world, checks=CHECKS)
