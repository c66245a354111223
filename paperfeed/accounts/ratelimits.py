"""Rate limits for both doors: one counter row per (scope, key, window), counted in the database.

Each attempt is one statement, ``INSERT … ON CONFLICT DO UPDATE SET hits = hits + 1 RETURNING
hits`` (SQLite >= 3.35 and PostgreSQL both have it), so the count an attempt sees is exact
however many processes and threads count at once, and the limit holds: with a limit of N, the
N+1st attempt of a window is refused even when all of them arrive together. (The shared
DatabaseCache's ``incr`` is a read then a write, so concurrent attempts were lost and up to
twice the limit got through.)

Windows are fixed (aligned on multiples of their length). When a key opens a new window its
older rows are deleted; the rows of keys that went quiet are pruned by the worker
(:func:`prune`, job ``prune_rate_limits``).

- :func:`attempt` counts one attempt of any scope and key against a limit;
- :func:`over_rate` does the same for a rate written like the ``*_RATE`` knobs ("10/m",
  "100/5m"), unless ``PAPERFEED_RATELIMIT=0``;
- :func:`hit` is the web door's form of it: the action's ``<ACTION>_RATE`` knob, per member or
  per client IP. The API counts per token (``api/ratelimits.py``).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from django.conf import settings
from django.db import connection
from django.http import HttpRequest
from django.utils import timezone

from .models import RateCounter

PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
MAX_KEY = 200


@dataclass(frozen=True)
class Limited:
    """A refused attempt: what was limited, the limit, and how long until its window ends."""

    action: str
    retry_after: int
    limit: int = 0

    @property
    def message(self) -> str:
        minutes, seconds = divmod(self.retry_after, 60)
        wait = f"{minutes} min" if minutes else f"{seconds} s"
        label = self.action.rpartition(".")[2].replace("_", " ")
        return f"Too many {label} attempts. Please wait {wait} and try again."


def parse_rate(rate: str) -> tuple[int, int]:
    """``"100/5m"`` → (100, 300): the count and the window in seconds (settings checks the form)."""
    count, _, period = rate.strip().partition("/")
    return int(count), int(period[:-1] or 1) * PERIODS[period[-1]]


def _upsert_sql() -> str:
    q = connection.ops.quote_name
    table = q(RateCounter._meta.db_table)
    columns = ", ".join(q(c) for c in ("scope", "key", "window_s", "window_start", "hits", "expires_at"))
    return (
        f"INSERT INTO {table} ({columns}) VALUES (%s, %s, %s, %s, 1, %s) "
        f"ON CONFLICT ({q('scope')}, {q('key')}, {q('window_s')}, {q('window_start')}) "
        f"DO UPDATE SET {q('hits')} = {table}.{q('hits')} + 1 RETURNING {q('hits')}"
    )


def _count(scope: str, key: str, window_s: int, start: int) -> int:
    """Add one to the window's counter, creating it if needed; the count after this attempt."""
    expires = datetime.fromtimestamp(start + window_s, tz=UTC)
    params = [scope, key, window_s, start, connection.ops.adapt_datetimefield_value(expires)]
    with connection.cursor() as cursor:
        cursor.execute(_upsert_sql(), params)
        return int(cursor.fetchone()[0])


def attempt(scope: str, key: str, limit: int, window_s: int) -> Limited | None:
    """Count one attempt of ``scope`` by ``key``; a Limited once over ``limit`` in the window, else None.

    Every attempt counts, refused ones too, so hammering a limit does not shorten the wait.
    """
    now = time.time()
    start = int(now // window_s) * window_s
    key = key[:MAX_KEY]
    hits = _count(scope, key, window_s, start)
    if hits == 1:  # this key's first attempt in a new window: its older windows are over
        RateCounter.objects.filter(scope=scope, key=key, window_start__lt=start).delete()
    if hits <= limit:
        return None
    return Limited(scope, max(math.ceil(start + window_s - now), 1), limit)


def over_rate(scope: str, key: str, rate: str) -> Limited | None:
    """:func:`attempt` against a rate such as "10/m"; never limited when PAPERFEED_RATELIMIT is 0."""
    if not settings.RATELIMIT_ENABLE:
        return None
    limit, window_s = parse_rate(rate)
    return attempt(scope, key, limit, window_s)


def client_ip(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR") or "unknown"


def hit(request: HttpRequest, action: str, *, per: str = "member") -> Limited | None:
    """Count one web attempt of ``action`` against its ``<ACTION>_RATE`` knob (LOGIN_RATE, VOTE_RATE, …).

    ``per="member"`` counts a signed-in member by account (their IP when signed out); ``per="ip"``
    counts by client IP, for forms used before signing in.
    """
    user = getattr(request, "user", None)
    if per == "member" and user is not None and user.is_authenticated:
        key = f"user:{user.pk}"
    else:
        key = f"ip:{client_ip(request)}"
    return over_rate(f"web.{action}", key, getattr(settings, f"{action.upper()}_RATE"))


def prune(now: datetime | None = None) -> int:
    """Delete the counters of windows that have ended; how many went."""
    deleted, _ = RateCounter.objects.filter(expires_at__lte=now or timezone.now()).delete()
    return deleted
