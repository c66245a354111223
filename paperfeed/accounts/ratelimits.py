"""Rate limits for the web forms, counted in the shared DatabaseCache via django-ratelimit.

One helper instead of decorators, so a view decides what to show when a limit is hit
(a form error with the wait time, a 429 page) instead of a bare 403.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest
from django_ratelimit.core import ALL, get_usage


@dataclass(frozen=True)
class Limited:
    """A refused request: what was limited and how long to wait."""

    action: str
    retry_after: int

    @property
    def message(self) -> str:
        minutes, seconds = divmod(self.retry_after, 60)
        wait = f"{minutes} min" if minutes else f"{seconds} s"
        return f"Too many {self.action.replace('_', ' ')} attempts. Please wait {wait} and try again."


def _ip(group: str, request: HttpRequest) -> str:
    return "ip:" + (request.META.get("REMOTE_ADDR") or "unknown")


def _member(group: str, request: HttpRequest) -> str:
    user = request.user
    return f"user:{user.pk}" if user.is_authenticated else _ip(group, request)


def hit(request: HttpRequest, action: str, *, per: str = "member") -> Limited | None:
    """Count one attempt of ``action``; a Limited when the caller is over its rate, else None."""
    if not settings.RATELIMIT_ENABLE:
        return None
    key = _member if per == "member" else _ip
    rate = getattr(settings, f"{action.upper()}_RATE")  # LOGIN_RATE, VOTE_RATE, … (settings.py)
    usage = get_usage(request, group=f"paperfeed.web.{action}", key=key, rate=rate, method=ALL, increment=True)
    if usage and usage["should_limit"]:
        return Limited(action, max(int(usage["time_left"]), 1))
    return None
