"""The ranked candidate list of a query, kept per index generation so paging is a slice.

A search's candidate list depends on the query words, the filters, the topic group and the
index generation alone (both retrievers always go the same depth), so page 2..n, a re-sort
and a return to "All topics" need not retrieve, fuse, gate and group again. One
:class:`RankedLists` hangs off each :class:`~.reader.Snapshot`: a new generation starts
empty, and an old one's lists go with it.

What is kept is the list *before* sorting by date or votes (votes change between requests;
the service sorts each time) with the notes and groups the phases found. The service still
drops papers hidden since the list was made, on every request (one query), so a hidden paper
never shows and the total stays exact. Bounded: the least recently used list goes first.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

MAX_LISTS = 256  # per process and generation; a list is at most ~1,000 small candidates


@dataclass(frozen=True)
class Ranked:
    """What the retrieve..group phases made of one query."""

    candidates: tuple  # Candidate, best first (shared: never mutated)
    notes: tuple[str, ...]
    groups: tuple  # TopicGroup
    group: str | None


class RankedLists:
    """A thread-safe LRU of :class:`Ranked` by query key."""

    def __init__(self, size: int = MAX_LISTS) -> None:
        self.size = size
        self._lists: OrderedDict[Any, Ranked] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key) -> Ranked | None:
        with self._lock:
            found = self._lists.get(key)
            if found is not None:
                self._lists.move_to_end(key)
            return found

    def put(self, key, ranked: Ranked) -> None:
        with self._lock:
            self._lists[key] = ranked
            self._lists.move_to_end(key)
            while len(self._lists) > self.size:
                self._lists.popitem(last=False)

    def __len__(self) -> int:
        return len(self._lists)
