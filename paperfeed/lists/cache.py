"""Rendered pages kept in each process's memory, valid while the version tokens they name are.

Every cached page names the keys of what it shows (:mod:`paperfeed.versions.keys`); a request reads
their tokens from the shared database in one indexed query and looks up its page under
``(address, tokens)``. A write anywhere bumps the tokens it changed, so the next request on every
process of every node misses and renders anew; nothing is ever deleted by hand, and old entries age
out of the LRU. ``PAGE_CACHE_MAX_AGE`` bounds what no token tracks.

This module knows which keys a list shows (a period, the home page, trending) and keeps the
entries; the doors decide what an entry holds (bytes, or bytes with per-member markers).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone

from paperfeed.versions import keys
from paperfeed.versions.tokens import read

from . import ranking


@dataclass
class Entry:
    value: Any
    size: int
    born: float = field(default_factory=time.monotonic)


class LocalCache:
    """A thread-safe LRU bounded by bytes (``PAGE_CACHE_MB``) and age (``PAGE_CACHE_MAX_AGE``)."""

    def __init__(self) -> None:
        self._entries: OrderedDict[tuple, Entry] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: tuple) -> Any | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            if time.monotonic() - entry.born > settings.PAGE_CACHE_MAX_AGE:
                self._drop(key)
                return None
            self._entries.move_to_end(key)
            return entry.value

    def put(self, key: tuple, value: Any, size: int) -> None:
        limit = settings.PAGE_CACHE_MB * 1024 * 1024
        if size > limit:
            return
        with self._lock:
            if key in self._entries:
                self._drop(key)
            self._entries[key] = Entry(value, size)
            self._bytes += size
            while self._bytes > limit:
                self._drop(next(iter(self._entries)))

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._bytes = 0

    def _drop(self, key: tuple) -> None:
        self._bytes -= self._entries.pop(key).size


pages = LocalCache()
# today -> (the listings token it was resolved under, the home page's period)
_home: dict[date, tuple[int, ranking.Period]] = {}


def period_keys(period: ranking.Period) -> list[str]:
    """A day, week or month shows its days' lists, and links to the nearest days that have one."""
    days = (period.end - period.start).days + 1
    return [keys.DAYS, *(keys.day(period.start + timedelta(days=n)) for n in range(days))]


def period_tokens(period: ranking.Period) -> tuple:
    return read(period_keys(period))


def home() -> tuple[ranking.Period, tuple]:
    """The home page's period and the tokens of what it shows, in one query when nothing moved.

    Which day is home depends on every listing (LIST_MIN_ENTRIES), so it is resolved once per
    ``listings`` token; the "so far today" strip above it shows today's list.
    """
    today = timezone.localdate()
    known = _home.get(today)
    names = [keys.LISTINGS, keys.day(today), *period_keys(known[1] if known else ranking.day_period(today))]
    tokens = read(names)
    if known and known[0] == tokens[0]:
        return known[1], tokens
    period = ranking.default_period()
    _home.clear()
    _home[today] = (tokens[0], period)
    return period, (*tokens[:2], *period_tokens(period))


def trending_tokens() -> tuple:
    """Trending moves with every vote and listing, and with time itself (decay): a time bucket."""
    bucket = int(time.time() // max(1, settings.TRENDING_CACHE_SECONDS))
    return (*read([keys.TRENDING, keys.LISTINGS]), bucket)


def paper_tokens(arxiv_id: str) -> tuple:
    """A paper page: its metadata, votes and listings (the door adds what the search index adds)."""
    return read([keys.paper(arxiv_id)])


def catalog_tokens() -> tuple:
    """Category and search feeds list the newest or matching papers: any paper stored or changed."""
    return read([keys.CATALOG])
