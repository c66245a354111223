"""The HTTP client's request mode: inside a web request an outgoing call is tried once, with the short
timeout, and never sleeps; outside one (worker, CLI) it keeps its polite retries."""

from __future__ import annotations

import time

import pytest
from django.core.signals import request_finished, request_started
from django.test import Client

from paperfeed.ingest import http
from tests.support.servers import LocalServer

# Django's own receivers of the request signals close stale database connections.
pytestmark = pytest.mark.django_db

UNAVAILABLE = (503, {"Retry-After": "7"}, b"Service Unavailable")


def slow(path: str, params: dict) -> tuple[int, dict, bytes]:
    time.sleep(2)
    return 200, {}, b"late"


@pytest.fixture
def in_request():
    """This thread handling a web request, as Django's handlers announce it."""
    request_started.send(sender=None, environ={})
    yield
    request_finished.send(sender=None)


def test_outside_a_request_the_client_retries_politely():
    waits: list[float] = []
    with LocalServer(lambda path, params: UNAVAILABLE) as server, pytest.raises(http.FetchError, match="after 3 tries"):
        http.get(server.url, retries=2, sleep=waits.append)
    assert waits == [7.0, 7.0] and len(server.requests) == 3


def test_inside_a_request_one_try_and_no_sleep(in_request):
    waits: list[float] = []
    assert http.in_request()
    with LocalServer(lambda path, params: UNAVAILABLE) as server, pytest.raises(http.FetchError, match=r"1 tries"):
        http.get(server.url, sleep=waits.append)
    assert waits == [] and len(server.requests) == 1


def test_inside_a_request_the_short_timeout(in_request, settings):
    settings.HTTP_REQUEST_TIMEOUT = 0.3
    with LocalServer(slow) as server, pytest.raises(http.FetchError, match="ReadTimeout"):
        http.get(server.url)
    assert len(server.requests) == 1


def test_the_mode_follows_django_requests():
    """Django's own request signals switch it: on during a request, off once the response is done."""
    assert not http.in_request()
    response = Client().get("/accounts/login/")
    assert response.status_code == 200 and not http.in_request()
    request_started.send(sender=None, environ={})
    assert http.in_request()
    request_finished.send(sender=None)
    assert not http.in_request()
