"""Write rate limits, per API token, counted in the shared cache (the DatabaseCache).

django-ratelimit's fixed-window counters live in the default cache, which every app
process shares, so a token gets the same budget however many workers serve it.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django_ratelimit.core import ALL, get_usage

from .errors import ApiError

GROUP = "paperfeed.api.write"


def _token_key(group: str, request: HttpRequest) -> str:
    return f"token:{request.auth.pk}"


def check_write(request: HttpRequest) -> None:
    """Count one write for the request's token; 429 with Retry-After once over the rate."""
    if not settings.RATELIMIT_ENABLE:
        return
    rate = settings.API_WRITE_RATE
    usage = get_usage(request, group=GROUP, key=_token_key, rate=rate, method=ALL, increment=True)
    if usage and usage["should_limit"]:
        wait = max(int(usage["time_left"]), 1)
        raise ApiError(
            429,
            "Rate limit exceeded",
            {"limit": usage["limit"], "rate": rate, "retry_after_seconds": wait},
            {"Retry-After": str(wait)},
        )
