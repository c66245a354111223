"""Write rate limits, per API token: the domain's counters (accounts.ratelimits), answered as a 429.

The counter is a database row every app process shares, counted in place, so a token gets
``API_WRITE_RATE`` writes however many workers and threads serve it at once.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

from paperfeed.accounts import ratelimits

from .errors import ApiError

SCOPE = "api.write"


def check_write(request: HttpRequest) -> None:
    """Count one write for the request's token; 429 with Retry-After once over the rate."""
    rate = settings.API_WRITE_RATE
    limited = ratelimits.over_rate(SCOPE, f"token:{request.auth.pk}", rate)
    if limited is not None:
        raise ApiError(
            429,
            "Rate limit exceeded",
            {"limit": limited.limit, "rate": rate, "retry_after_seconds": limited.retry_after},
            {"Retry-After": str(limited.retry_after)},
        )
