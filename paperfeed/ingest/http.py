"""The one HTTP client every source uses: our User-Agent, the configured timeout, polite retries.

arXiv's services answer 503 with ``Retry-After`` when they want a client to slow down (OAI-PMH
does this by design every few pages), and occasionally 429/502/504 under load. Those are
retried after the server's delay (capped, so a hostile header cannot stall a harvest for a
day); every other status is returned to the caller, which knows what it means in its format.

**Request mode.** A call made while Django is handling a web request (between its
``request_started`` and ``request_finished`` signals, in that thread) is tried once, with
``HTTP_REQUEST_TIMEOUT`` seconds, and never sleeps: a slow or absent upstream then costs a
request a few seconds, not minutes of back-off holding a web worker. No request calls out
today (papers members name are fetched by the worker, accounts.fetching); this keeps any
future one honest. The worker, the CLI and management commands are not requests, so they get
``HTTP_TIMEOUT`` and the polite retries.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from contextvars import ContextVar
from email.utils import parsedate_to_datetime

import requests
from django.conf import settings
from django.core.signals import request_finished, request_started

RETRY_STATUSES = {429, 502, 503, 504}
MAX_RETRY_AFTER = 600.0
DEFAULT_RETRY_AFTER = 5.0


class FetchError(RuntimeError):
    """The server could not be reached or kept refusing; the message names the URL."""


_in_request: ContextVar[bool] = ContextVar("paperfeed_http_in_request", default=False)


def _request_started(**kwargs) -> None:
    _in_request.set(True)


def _request_finished(**kwargs) -> None:
    _in_request.set(False)


request_started.connect(_request_started, dispatch_uid="paperfeed.ingest.http.request_started")
request_finished.connect(_request_finished, dispatch_uid="paperfeed.ingest.http.request_finished")


def in_request() -> bool:
    """Whether this thread is handling a web request now (request mode)."""
    return _in_request.get()


def session() -> requests.Session:
    s = requests.Session()
    s.headers["User-Agent"] = settings.HTTP_USER_AGENT
    return s


def retry_after(response: requests.Response, default: float = DEFAULT_RETRY_AFTER) -> float:
    """Seconds to wait as the server asked (delta-seconds or an HTTP date), capped."""
    raw = (response.headers.get("Retry-After") or "").strip()
    if not raw:
        return default
    try:
        seconds = float(raw)
    except ValueError:
        try:
            when = parsedate_to_datetime(raw)
            seconds = when.timestamp() - time.time()
        except (TypeError, ValueError):
            return default
    return min(max(seconds, 0.0), MAX_RETRY_AFTER)


def get(
    url: str,
    params: dict | None = None,
    *,
    client: requests.Session | None = None,
    retries: int = 5,
    sleep: Callable[[float], None] | None = None,
    on_wait: Callable[[float, int], None] | None = None,
) -> requests.Response:
    """GET with retries on 503/429/502/504 (honouring Retry-After) and on connection errors.

    In request mode: one try, ``HTTP_REQUEST_TIMEOUT`` seconds, no retries.
    """
    client = client or session()
    sleep = sleep or time.sleep  # looked up per call, so tests can record the waits
    timeout = settings.HTTP_TIMEOUT
    if in_request():
        retries, timeout = 0, settings.HTTP_REQUEST_TIMEOUT
    last: str = ""
    for attempt in range(retries + 1):
        status = 0
        try:
            response = client.get(url, params=params, timeout=timeout)
        except requests.RequestException as error:
            last = f"{type(error).__name__}: {error}"
            if attempt == retries:
                break
            wait = min(DEFAULT_RETRY_AFTER * (attempt + 1), 60.0)
        else:
            status = response.status_code
            if status not in RETRY_STATUSES:
                return response
            last = f"HTTP {status}"
            if attempt == retries:
                break
            wait = retry_after(response)
        if on_wait:
            on_wait(wait, status)
        sleep(wait)
    raise FetchError(f"{url}: gave up after {retries + 1} tries ({last})")
